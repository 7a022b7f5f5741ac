"""Renders every recorded case with Python's Jinja2 configured as transformers configures it (the renderer models
are trained with) and reports where it disagrees with the recorded @huggingface/jinja text or error.

Usage: python3 check-with-jinja2.py <folder with qwen3 tokenizer_config.json> [cases folder]
Needs jinja2 (3.x). Exit code 1 when any case disagrees.
"""
import json
import os
import sys
from datetime import datetime

import jinja2
from jinja2.ext import loopcontrols
from jinja2.sandbox import ImmutableSandboxedEnvironment

here = os.path.dirname(os.path.abspath(__file__))
qwen3 = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "../../../../../shared/tokenizers/qwen3")
folder = sys.argv[2] if len(sys.argv) > 2 else here
configs = {
    "qwen3": os.path.join(qwen3, "tokenizer_config.json"),
    "qwen2.5": os.path.join(here, "qwen2.5-0.5b-instruct.tokenizer_config.json"),
    "deepseek-r1": os.path.join(here, "deepseek-r1-distill-qwen-32b.tokenizer_config.json"),
}


def environment():
    # transformers.utils.chat_template_utils._compile_jinja_template, without the {% generation %} tracker.
    def raise_exception(message):
        raise jinja2.exceptions.TemplateError(message)

    def tojson(x, ensure_ascii=False, indent=None, separators=None, sort_keys=False):
        return json.dumps(x, ensure_ascii=ensure_ascii, indent=indent, separators=separators, sort_keys=sort_keys)

    env = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True, extensions=[loopcontrols])
    env.filters["tojson"] = tojson
    env.globals["raise_exception"] = raise_exception
    env.globals["strftime_now"] = lambda fmt: datetime.now().strftime(fmt)
    return env


def special_tokens(config):
    tokens = {}
    for key in ("bos_token", "eos_token", "unk_token", "pad_token"):
        value = config.get(key)
        if isinstance(value, str):
            tokens[key] = value
        elif isinstance(value, dict) and isinstance(value.get("content"), str):
            tokens[key] = value["content"]
    return tokens


failed = 0
for family, config_path in configs.items():
    with open(config_path, encoding="utf-8") as f:
        config = json.load(f)
    template = environment().from_string(config["chat_template"])
    with open(os.path.join(folder, f"{family}.cases.json"), encoding="utf-8") as f:
        cases = json.load(f)["cases"]
    agree = 0
    for case in cases:
        try:
            text = template.render(**special_tokens(config), **case["extra"], messages=case["messages"], add_generation_prompt=case["add_generation_prompt"])
            error = None
        except Exception as e:  # the recorded case says whether the reference raised
            text, error = None, f"{type(e).__name__}: {e}"
        if ("error" in case) == (error is not None) and (error is not None or text == case["expected"]):
            agree += 1
        else:
            failed += 1
            print(f"{family} case {case['id']}: jinja2 {'raised ' + error if error else 'rendered differently'}")
    print(f"{family}: jinja2 agrees on {agree} of {len(cases)} cases")
sys.exit(1 if failed else 0)
