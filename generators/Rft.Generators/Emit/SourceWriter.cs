using System.Text;

namespace Rft.Generators.Emit;

/// <summary>
/// Writes C# with indentation. Multi-line text (raw string literals) is indented line by line, and
/// blank lines carry no trailing spaces. Lines end with "\n" whatever the platform.
/// </summary>
internal sealed class SourceWriter
{
    private const string IndentUnit = "    ";
    private readonly StringBuilder _builder = new();

    public int Indentation { get; set; }

    public void WriteLine() => _builder.Append('\n');

    /// <summary>Writes each line of <paramref name="text"/> at the current indentation.</summary>
    public void WriteLine(string text)
    {
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.TrimEnd('\r');
            if (line.Length > 0)
            {
                for (int i = 0; i < Indentation; i++) _builder.Append(IndentUnit);
                _builder.Append(line);
            }

            _builder.Append('\n');
        }
    }

    public void OpenBlock()
    {
        WriteLine("{");
        Indentation++;
    }

    public void CloseBlock(string suffix = "")
    {
        Indentation--;
        WriteLine("}" + suffix);
    }

    public override string ToString() => _builder.ToString();
}
