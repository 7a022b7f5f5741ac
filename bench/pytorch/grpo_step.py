#!/usr/bin/env python3
"""PyTorch eager reference of one GRPO step, for bench/Rft.Bench's side-by-side `speed` measurement.

The same algorithm and shapes as the Rft pipeline it is compared with (bench/Rft.Bench/SpeedPipeline.cs), written the
way a PyTorch user writes it (Hugging Face Llama modules, TRL's GRPO loss):

  rollout    prefill each prompt once, copy its keys and values to its G rows, then decode one token at a time with a
             preallocated KV cache; temperature-1 multinomial sampling from log_softmax; a row stops at EOS; decoding
             stops when every row has stopped (checked every token)
  score      a reward per completion (the share of its tokens in the lower half of the vocabulary)
  advantages group-normalised (score - group mean) / (group std + 1e-6)
  old        one update per rollout starts from the weights that sampled, so the old log-probs are the update forward's
             own, detached (TRL with num_iterations = 1; Rft does the same); --recompute-old runs the separate pass
             without gradients instead
  reference  the frozen reference's log-probs, without gradients
  update     forward with gradients, clipped surrogate (clip 0.2) + 0.04 * k3 KL, token-mean over the completion mask,
             backward, clip the gradient norm to 1, AdamW (no weight decay)

Weights come from the checkpoint folder the C# bench writes (Hugging Face config.json + model.safetensors), so both
sides run the same model. Prints one JSON object per measured step with the phase timings, then a summary line.
Usage: python3 grpo_step.py --checkpoint DIR [--steps 10] [--warmup 3] [--threads 2]
"""
import argparse
import json
import math
import struct
import sys
import time

import torch
import torch.nn.functional as F
from torch import nn


def load_safetensors(path):
    with open(path, "rb") as f:
        data = f.read()
    (header_size,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + header_size])
    tensors = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        if info["dtype"] != "F32":
            raise SystemExit(f"{path}: tensor {name} is {info['dtype']}; this reference reads float32 only")
        start, end = info["data_offsets"]
        raw = bytearray(data[8 + header_size + start:8 + header_size + end])
        tensors[name] = torch.frombuffer(raw, dtype=torch.float32).reshape(info["shape"]).clone()
    return tensors


class RMSNorm(nn.Module):
    def __init__(self, size, eps):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(size))
        self.eps = eps

    def forward(self, x):
        return self.weight * (x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps))


def rotate_half(x):
    half = x.shape[-1] // 2
    return torch.cat((-x[..., half:], x[..., :half]), dim=-1)


class Attention(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.heads, self.kv_heads = c["num_attention_heads"], c["num_key_value_heads"]
        self.head_dim = c["hidden_size"] // self.heads
        self.q_proj = nn.Linear(c["hidden_size"], self.heads * self.head_dim, bias=False)
        self.k_proj = nn.Linear(c["hidden_size"], self.kv_heads * self.head_dim, bias=False)
        self.v_proj = nn.Linear(c["hidden_size"], self.kv_heads * self.head_dim, bias=False)
        self.o_proj = nn.Linear(self.heads * self.head_dim, c["hidden_size"], bias=False)

    def forward(self, x, cos, sin, mask, cache=None, offset=0):
        b, t, _ = x.shape
        q = self.q_proj(x).view(b, t, self.heads, self.head_dim).transpose(1, 2)
        k = self.k_proj(x).view(b, t, self.kv_heads, self.head_dim).transpose(1, 2)
        v = self.v_proj(x).view(b, t, self.kv_heads, self.head_dim).transpose(1, 2)
        q = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        if cache is not None:
            keys, values = cache
            keys[:b, :, offset:offset + t] = k
            values[:b, :, offset:offset + t] = v
            k, v = keys[:b, :, :offset + t], values[:b, :, :offset + t]
        groups = self.heads // self.kv_heads
        if groups > 1:  # Hugging Face's repeat_kv
            k = k[:, :, None].expand(b, self.kv_heads, groups, k.shape[2], self.head_dim).reshape(b, self.heads, k.shape[2], self.head_dim)
            v = v[:, :, None].expand(b, self.kv_heads, groups, v.shape[2], self.head_dim).reshape(b, self.heads, v.shape[2], self.head_dim)
        scores = (q @ k.transpose(2, 3)) / math.sqrt(self.head_dim)
        scores = scores.masked_fill(~mask, float("-inf"))
        out = scores.softmax(-1) @ v
        return self.o_proj(out.transpose(1, 2).reshape(b, t, -1))


class Mlp(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.gate_proj = nn.Linear(c["hidden_size"], c["intermediate_size"], bias=False)
        self.up_proj = nn.Linear(c["hidden_size"], c["intermediate_size"], bias=False)
        self.down_proj = nn.Linear(c["intermediate_size"], c["hidden_size"], bias=False)

    def forward(self, x):
        return self.down_proj(F.silu(self.gate_proj(x)) * self.up_proj(x))


class Layer(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.self_attn = Attention(c)
        self.mlp = Mlp(c)
        self.input_layernorm = RMSNorm(c["hidden_size"], c["rms_norm_eps"])
        self.post_attention_layernorm = RMSNorm(c["hidden_size"], c["rms_norm_eps"])

    def forward(self, x, cos, sin, mask, cache=None, offset=0):
        h = x + self.self_attn(self.input_layernorm(x), cos, sin, mask, cache, offset)
        return h + self.mlp(self.post_attention_layernorm(h))


class Llama(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.config = c
        self.embed_tokens = nn.Embedding(c["vocab_size"], c["hidden_size"])
        self.layers = nn.ModuleList(Layer(c) for _ in range(c["num_hidden_layers"]))
        self.norm = RMSNorm(c["hidden_size"], c["rms_norm_eps"])
        self.tied = c.get("tie_word_embeddings", False)
        if not self.tied:
            self.lm_head = nn.Linear(c["hidden_size"], c["vocab_size"], bias=False)
        head_dim = c["hidden_size"] // c["num_attention_heads"]
        inv = 1.0 / (c.get("rope_theta", 10000.0) ** (torch.arange(0, head_dim, 2, dtype=torch.float64) / head_dim))
        angles = torch.arange(c["max_position_embeddings"], dtype=torch.float64)[:, None] * inv[None, :]
        angles = torch.cat((angles, angles), dim=-1)
        self.register_buffer("cos_table", angles.cos().float(), persistent=False)
        self.register_buffer("sin_table", angles.sin().float(), persistent=False)

    def head_weight(self):
        return self.embed_tokens.weight if self.tied else self.lm_head.weight

    def hidden(self, ids, positions, key_mask, cache=None, offset=0):
        """Final-normed hidden states; key_mask [B, offset + T] bool marks real tokens."""
        b, t = ids.shape
        x = self.embed_tokens(ids)
        cos, sin = self.cos_table[positions][:, None], self.sin_table[positions][:, None]
        length = offset + t
        causal = torch.ones(t, length, dtype=torch.bool).tril(diagonal=offset)
        own = torch.zeros(t, length, dtype=torch.bool)  # a query always sees itself, so a padding row has no empty softmax
        own[:, offset:] = torch.eye(t, dtype=torch.bool)
        mask = ((causal[None] & key_mask[:, None, :]) | own[None])[:, None]
        for i, layer in enumerate(self.layers):
            x = layer(x, cos, sin, mask, None if cache is None else cache[i], offset)
        return self.norm(x)


def load_model(folder):
    with open(f"{folder}/config.json") as f:
        config = json.load(f)
    model = Llama(config)
    weights = load_safetensors(f"{folder}/model.safetensors")
    missing, unexpected = model.load_state_dict({k[len("model."):] if k.startswith("model.") else k: v for k, v in weights.items()}, strict=False)
    if unexpected or any(not m.endswith("_table") for m in missing):
        raise SystemExit(f"{folder}: weights do not match the model (missing {missing}, unexpected {unexpected})")
    return model


def token_log_probs(model, sequences, attention, positions, prompt_length):
    """Log-probs of the completion tokens: logits of the positions that predict them (TRL's logits_to_keep)."""
    hidden = model.hidden(sequences, positions, attention)[:, prompt_length - 1:-1]
    logits = hidden @ model.head_weight().t()
    return logits.log_softmax(-1).gather(-1, sequences[:, prompt_length:, None]).squeeze(-1)


@torch.no_grad()
def rollout(model, prompts, group, new_tokens, eos, pad, generator):
    c = model.config
    n, p = prompts.shape
    rows = n * group
    head_dim = c["hidden_size"] // c["num_attention_heads"]
    length = p + new_tokens
    cache = [(torch.zeros(rows, c["num_key_value_heads"], length, head_dim), torch.zeros(rows, c["num_key_value_heads"], length, head_dim))
             for _ in range(c["num_hidden_layers"])]
    key_mask = torch.zeros(rows, length, dtype=torch.bool)
    key_mask[:n, :p] = True
    positions = torch.arange(p)[None].expand(n, p)
    hidden = model.hidden(prompts, positions, key_mask[:n, :p], cache, 0)[:, -1]
    for keys, values in cache:  # each prompt's keys and values to its G rows
        keys[:, :, :p] = keys[:n, :, :p].repeat_interleave(group, dim=0)
        values[:, :, :p] = values[:n, :, :p].repeat_interleave(group, dim=0)
    key_mask[:, :p] = True
    logits = (hidden @ model.head_weight().t()).repeat_interleave(group, dim=0)
    tokens = torch.full((rows, new_tokens), pad, dtype=torch.long)
    alive = torch.zeros(rows, new_tokens, dtype=torch.bool)
    finished = torch.zeros(rows, dtype=torch.bool)
    steps = 0
    for s in range(new_tokens):
        if s > 0:
            key_mask[:, p + s - 1] = alive[:, s - 1]
            position = torch.full((rows, 1), p + s - 1, dtype=torch.long)
            logits = model.hidden(tokens[:, s - 1:s], position, key_mask[:, :p + s], cache, p + s - 1)[:, -1] @ model.head_weight().t()
        probs = logits.log_softmax(-1).exp()
        token = probs.multinomial(1, generator=generator).squeeze(-1)
        alive[:, s] = ~finished
        tokens[:, s] = token.masked_fill(finished, pad)
        finished |= token == eos
        steps += 1
        if finished.all().item():
            break
    sequences = torch.cat((prompts.repeat_interleave(group, dim=0), tokens[:, :steps]), dim=1)
    attention = torch.cat((torch.ones(rows, p, dtype=torch.bool), alive[:, :steps]), dim=1)
    positions = torch.arange(p + steps)[None].expand(rows, -1)
    return sequences, attention, positions, alive[:, :steps].float()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--checkpoint", required=True)
    parser.add_argument("--steps", type=int, default=10)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--prompts", type=int, default=4)
    parser.add_argument("--group", type=int, default=8)
    parser.add_argument("--prompt-tokens", type=int, default=32)
    parser.add_argument("--new-tokens", type=int, default=64)
    parser.add_argument("--beta", type=float, default=0.04)
    parser.add_argument("--clip", type=float, default=0.2)
    parser.add_argument("--lr", type=float, default=1e-5)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--recompute-old", action="store_true", help="compute the old log-probs in their own pass without gradients")
    args = parser.parse_args()

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    policy = load_model(args.checkpoint)
    reference = load_model(args.checkpoint)
    for parameter in reference.parameters():
        parameter.requires_grad_(False)
    optimizer = torch.optim.AdamW(policy.parameters(), lr=args.lr, weight_decay=0.0)
    vocab = policy.config["vocab_size"]
    pad, bos, eos = 0, 1, 2
    generator = torch.Generator().manual_seed(args.seed)
    times = []
    for step in range(1, args.warmup + args.steps + 1):
        prompts = torch.randint(3, vocab, (args.prompts, args.prompt_tokens), generator=generator)
        prompts[:, 0] = bos
        timing = {}
        started = mark = time.perf_counter()

        def lap(name):
            nonlocal mark
            now = time.perf_counter()
            timing[name] = now - mark
            mark = now

        sequences, attention, positions, mask = rollout(policy, prompts, args.group, args.new_tokens, eos, pad, generator)
        lap("timing/rollout_s")
        p = args.prompt_tokens
        completions = sequences[:, p:]
        scores = ((completions < vocab // 2).float() * mask).sum(-1) / mask.sum(-1).clamp(min=1)
        lap("timing/score_s")
        old = None
        if args.recompute_old:
            with torch.no_grad():
                old = token_log_probs(policy, sequences, attention, positions, p)
        lap("timing/old_logprob_s")
        with torch.no_grad():
            ref = token_log_probs(reference, sequences, attention, positions, p)
        lap("timing/reference_s")
        grouped = scores.view(-1, args.group)
        advantages = ((grouped - grouped.mean(-1, keepdim=True)) / (grouped.std(-1, keepdim=True) + 1e-6)).view(-1, 1)
        logp = token_log_probs(policy, sequences, attention, positions, p)
        ratio = (logp - (logp.detach() if old is None else old)).exp()
        pg = torch.max(-advantages * ratio, -advantages * ratio.clamp(1 - args.clip, 1 + args.clip))
        kl = (ref - logp).exp() - (ref - logp) - 1
        tokens = mask.sum()
        loss = ((pg + args.beta * kl) * mask).sum() / tokens
        optimizer.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(policy.parameters(), 1.0)
        optimizer.step()
        lap("timing/update_s")
        timing["seconds"] = time.perf_counter() - started
        timing["rollout/tokens"] = int(mask.sum().item())
        timing["loss"] = loss.item()
        if step > args.warmup:
            print(json.dumps({"step": step - args.warmup, **timing}), flush=True)
            times.append(timing["seconds"])
    times.sort()
    print(json.dumps({"median_seconds": times[len(times) // 2], "torch": torch.__version__, "threads": torch.get_num_threads()}), flush=True)


if __name__ == "__main__":
    sys.exit(main())
