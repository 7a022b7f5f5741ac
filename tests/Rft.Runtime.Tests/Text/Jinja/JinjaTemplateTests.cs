using System.Text.Json.Nodes;
using Rft.Text.Jinja;

namespace Rft.Runtime.Tests.Text.Jinja;

/// <summary>
/// The renderer's features one by one. Every expected text here is what Python's Jinja2 3.1 renders with the settings
/// transformers uses (trim_blocks, lstrip_blocks, loopcontrols, its tojson), so these pin Python's semantics where
/// JavaScript renderers differ (None, True, strip('\n'), code points).
/// </summary>
public sealed class JinjaTemplateTests
{
    private static string Render(string template, string variables = "{}") =>
        JinjaTemplate.Parse(template, "test").Render(JsonNode.Parse(variables)!.AsObject());

    [Theory]
    [InlineData("{% for x in xs %}\n  {{ x }}\n{% endfor %}\n", "{\"xs\":[1,2]}", "  1\n  2\n")]
    [InlineData("a  {%- if true %} b {% endif -%}  \n c", "{}", "a b c")]
    [InlineData("<{{- ' x ' -}}>\n  {# note #}\n  end", "{}", "< x >\n  end")]
    [InlineData("  {% if true %}yes{% endif %}\n  {{ 'v' }}  {% if true +%}\nkeep{%+ endif %}", "{}", "yes  v  \nkeep")]
    [InlineData("line\r\n{% if true %}\r\n  in\r\n{% endif %}\r\n", "{}", "line\n  in\n")]
    [InlineData("{% raw %}{{ not rendered }}{% endraw %}", "{}", "{{ not rendered }}")]
    public void Whitespace_control_follows_trim_blocks_and_lstrip_blocks(string template, string variables, string expected) =>
        Assert.Equal(expected, Render(template, variables));

    [Fact]
    public void For_loops_have_loop_variables_filters_else_unpacking_and_loop_controls()
    {
        Assert.Equal("01TrueFalse2a;12FalseTrue2c;",
            Render("{% for m in ms if m != 'b' %}{{ loop.index0 }}{{ loop.index }}{{ loop.first }}{{ loop.last }}{{ loop.length }}{{ m }};{% else %}none{% endfor %}", "{\"ms\":[\"a\",\"b\",\"c\"]}"));
        Assert.Equal("empty", Render("{% for m in [] %}x{% else %}empty{% endfor %}"));
        Assert.Equal("a=1,b=[1, 'x'],ab", Render("{% for k, v in d.items() %}{{ k }}={{ v }},{% endfor %}{% for k, v in d|items %}{{ k }}{% endfor %}", "{\"d\":{\"a\":1,\"b\":[1,\"x\"]}}"));
        Assert.Equal("0134", Render("{% for i in range(10) %}{% if i == 2 %}{% continue %}{% endif %}{% if i > 4 %}{% break %}{% endif %}{{ i }}{% endfor %}"));
        Assert.Equal("one two many ", Render("{% for v in [1, 2, 3] %}{% if v == 1 %}one{% elif v == 2 %}two{% else %}many{% endif %} {% endfor %}"));
    }

    [Fact]
    public void Set_inside_a_loop_stays_in_its_iteration_but_a_namespace_carries_out()
    {
        Assert.Equal("110 120 16", Render(
            "{% set x = 1 %}{% for i in [1,2] %}{{ x }}{% set x = i * 10 %}{{ x }} {% endfor %}{{ x }}" +
            "{% set ns = namespace(t=0) %}{% for i in [1,2,3] %}{% set ns.t = ns.t + i %}{% endfor %}{{ ns.t }}"));
        Assert.Equal("[x2y]", Render("{% set body %}x{{ 1 + 1 }}y{% endset %}[{{ body }}]"));
    }

    [Fact]
    public void Tests_tell_defined_none_and_types_apart()
    {
        Assert.Equal("TrueFalseTrueTrueTrueTrueTrueTrueTrueTrueTrueTrueTrueTrue", Render(
            "{{ a is defined }}{{ b is defined }}{{ n is none }}{{ s is string }}{{ d is mapping }}{{ l is iterable }}{{ 3 is number }}" +
            "{{ 3.5 is float }}{{ t is boolean }}{{ t is true }}{{ 4 is even }}{{ 9 is divisibleby 3 }}{{ 'x' is not none }}{{ l is sequence }}",
            "{\"a\":1,\"n\":null,\"s\":\"x\",\"d\":{},\"l\":[1],\"t\":true}"));
        Assert.Equal("TrueTrueTrue1", Render("{{ not x is defined }}{{ not (x is defined) }}{{ x is not defined and true }}{{ (l|length - 1) - 1 }}", "{\"l\":[1,2,3]}"));
    }

    [Fact]
    public void Tojson_writes_what_python_json_dumps_writes()
    {
        Assert.Equal(
            "{\"z\": 1, \"a\": [1.5, 2.0, null, true, \"ü\"], \"e\": {}}|{\n  \"z\": 1,\n  \"a\": [\n    1.5,\n    2.0,\n    null,\n    true,\n    \"ü\"\n  ],\n  \"e\": {}\n}|" +
            "{\"a\":[1.5,2.0,null,true,\"ü\"],\"e\":{},\"z\":1}|\"é\\\"\\n\\t\\u0001\"|\"\\u00e9\"|[]",
            Render("{{ v|tojson }}|{{ v|tojson(indent=2) }}|{{ v|tojson(sort_keys=true, separators=(',', ':')) }}|{{ 'é\"\\n\\t\\u0001'|tojson }}|{{ 'é'|tojson(ensure_ascii=true) }}|{{ []|tojson(indent=2) }}",
                "{\"v\":{\"z\":1,\"a\":[1.5,2.0,null,true,\"ü\"],\"e\":{}}}"));
    }

    [Fact]
    public void Filters_behave_as_jinja2s()
    {
        Assert.Equal("a b|a|3|32|a, b|ABab|bba|dflte|5[1, 'a']|Hello World|Hello|[3, 2, 1]|13|ab|1", Render(
            "{{ '  a b  '|trim }}|{{ 'xxaxx'|trim('x') }}|{{ '😀ab'|length }}|{{ [3,1,2]|first }}{{ [3,1,2]|last }}|{{ ['a','b']|join(', ') }}|" +
            "{{ 'Ab'|upper }}{{ 'Ab'|lower }}|{{ 'aaa'|replace('a','b',2) }}|{{ u|default('dflt') }}{{ ''|default('e', true) }}|{{ 5|string }}{{ [1,'a']|string }}|" +
            "{{ 'hello world'|title }}|{{ 'hELLO'|capitalize }}|{{ [1,2,3]|reverse|list }}|{{ '12'|int + 1 }}|{{ [{'n':'a'},{'n':'b'}]|map(attribute='n')|join }}|" +
            "{{ [{'n':1},{'n':0}]|selectattr('n')|list|length }}"));
    }

    [Fact]
    public void String_methods_slices_and_membership_follow_python()
    {
        Assert.Equal("TrueTrueTrue|['a', 'b', 'c']|['a', 'b', '', 'c']|['a', 'b,c']|['a,b', 'c']| x |x\n|xy|zba|ba😀|bzbzabaz|TrueTrue|1aNone|[3, 2, 1][2, 4]", Render(
            "{{ s.startswith('ab') }}{{ s.startswith(('x','ab')) }}{{ s.endswith('z') }}|{{ ' a  b\\tc '.split() }}|{{ 'a,b,,c'.split(',') }}|{{ 'a,b,c'.split(',', 1) }}|" +
            "{{ 'a,b,c'.rsplit(',', 1) }}|{{ '\\n x \\n'.strip('\\n') }}|{{ '\\n\\nx\\n'.lstrip('\\n') }}|{{ 'xy\\n\\n'.rstrip() }}|{{ s[::-1] }}|{{ '😀ab'[::-1] }}|" +
            "{{ s[1:] }}{{ s[-2:] }}{{ s[:-1] }}{{ s[0] }}{{ s[-1] }}|{{ 'b' in s }}{{ 'q' not in s }}|{{ 1 ~ 'a' ~ none }}|{{ [1,2,3][::-1] }}{{ [1,2,3,4,5][1:4:2] }}",
            "{\"s\":\"abz\"}"));
    }

    [Fact]
    public void Values_print_and_compute_as_python_values()
    {
        Assert.Equal("None|True|None|2.0|1e+20|0.30000000000000004|3-4123.51024|{'k': 'v', 'n': [1]}|[1, 'a', None]||b|0z|abab", Render(
            "{{ none }}|{{ true }}|{{ n }}|{{ 2.0 }}|{{ 1e20 }}|{{ 0.1 + 0.2 }}|{{ 7 // 2 }}{{ -7 // 2 }}{{ 7 % 3 }}{{ -7 % 3 }}{{ 7 / 2 }}{{ 2 ** 10 }}|{{ d }}|" +
            "{{ [1, 'a', none] }}|{{ undefined_var }}|{{ 'a' if x else 'b' }}|{{ x and 'y' }}{{ 0 or 'z' }}|{{ 'ab' * 2 }}",
            "{\"n\":null,\"d\":{\"k\":\"v\",\"n\":[1]},\"x\":0}"));
        Assert.Equal("1no11['a'][1]False", Render("{{ d.get('a') }}{{ d.get('z', 'no') }}{{ d['a'] }}{{ d.a }}{{ d.keys()|list }}{{ d.values()|list }}{{ d.missing is defined }}", "{\"d\":{\"a\":1}}"));
    }

    [Fact]
    public void Json_numbers_keep_python_int_and_float_apart_and_null_is_none_not_undefined()
    {
        Assert.Equal("2 2.0 0.5|True False|False True", Render(
            "{{ i }} {{ f }} {{ h }}|{{ n is none }} {{ n is undefined }}|{{ m is none }} {{ m is undefined }}", "{\"i\":2,\"f\":2.0,\"h\":0.5,\"n\":null}"));
    }

    [Fact]
    public void Macros_take_positional_keyword_and_default_arguments() =>
        Assert.Equal("Hi A! Hi B?", Render("{% macro greet(name, punct='!') %}Hi {{ name }}{{ punct }}{% endmacro %}{{ greet('A') }} {{ greet('B', punct='?') }}"));

    [Fact]
    public void Strftime_now_formats_the_given_clock()
    {
        var template = JinjaTemplate.Parse("{{ strftime_now('%d %b %Y') }}|{{ strftime_now('%Y-%m-%d %H:%M') }}", "dates");
        Assert.Equal("05 Mar 2026|2026-03-05 14:07", template.Render((System.Text.Json.Nodes.JsonObject?)null, () => new DateTime(2026, 3, 5, 14, 7, 0)));
    }

    [Fact]
    public void Raise_exception_stops_the_render_with_the_templates_message_and_position()
    {
        var e = Assert.Throws<JinjaException>(() => Render("ok\n{% if messages[0].role != 'user' %}{{ raise_exception('Conversation roles must alternate') }}{% endif %}",
            "{\"messages\":[{\"role\":\"assistant\"}]}"));
        Assert.True(e.RaisedByTemplate);
        Assert.Equal("Conversation roles must alternate", e.Problem);
        Assert.Equal(new SourcePosition(2, 39), e.Position);
        Assert.StartsWith("test line 2, column 39: ", e.Message);
    }

    [Theory]
    [InlineData("{{ x | nosuch }}", 1, 8, "no filter named 'nosuch'")]
    [InlineData("{{ x is nosuch }}", 1, 9, "no test named 'nosuch'")]
    [InlineData("a\n{% if x %}\nnever closed", 2, 4, "'{% if %}' here is never closed")]
    [InlineData("{% endfor %}", 1, 4, "unexpected '{% endfor %}'")]
    [InlineData("{% include 'x' %}", 1, 4, "'{% include %}' is not supported")]
    [InlineData("{% frobnicate %}", 1, 4, "unknown tag 'frobnicate'")]
    [InlineData("{{ 'abc }}", 1, 4, "the string literal opened here is not closed")]
    [InlineData("{{ (1 + 2 }}", 1, 11, "unexpected '}'")]
    [InlineData("{% break %}", 1, 4, "only allowed inside a for loop")]
    [InlineData("{{ f(*xs) }}", 1, 6, "argument unpacking (*args, **kwargs) is not supported")]
    [InlineData("{{ x }", 1, 6, "unexpected '}': nothing is open")]
    [InlineData("text {{ x ", 1, 6, "the tag opened here has no closing '}}'")]
    public void Syntax_errors_name_the_line_column_and_problem(string template, int line, int column, string problem)
    {
        var e = Assert.Throws<JinjaException>(() => JinjaTemplate.Parse(template, "tpl"));
        Assert.Equal(new SourcePosition(line, column), e.Position);
        Assert.Contains(problem, e.Problem);
        Assert.StartsWith($"tpl line {line}, column {column}: ", e.Message);
    }

    [Theory]
    [InlineData("{{ 'a' + 1 }}", "can only concatenate str (not \"int\") to str")]
    [InlineData("{{ m.content + 'x' }}", "'dict object' has no attribute 'content'")]
    [InlineData("{{ m['role'] ~ m['role'].upper() }}", "'dict object' has no attribute 'role'")]
    [InlineData("{{ nothing.attribute }}", "'nothing' is undefined")]
    [InlineData("{{ '</think>' in none }}", "argument of type 'NoneType' is not iterable")]
    [InlineData("{{ s() }}", "'str' object is not callable")]
    [InlineData("{% set n.x = 1 %}", "cannot assign attribute on non-namespace object")]
    [InlineData("{{ 1 < 'a' }}", "'<' not supported between instances of 'int' and 'str'")]
    public void Render_errors_name_the_problem_in_pythons_words(string template, string problem)
    {
        var e = Assert.Throws<JinjaException>(() => Render(template, "{\"m\":{},\"s\":\"x\",\"n\":1}"));
        Assert.Equal(problem, e.Problem);
        Assert.False(e.RaisedByTemplate);
    }
}
