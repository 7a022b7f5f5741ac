namespace Rft;

/// <summary>
/// Prior prompt engineering (pPE): a fixed instruction prepended to every rendered prompt at training time.
/// Evaluation uses it too when <see cref="AtEvaluation"/> is true.
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class PriorPromptAttribute : Attribute
{
    public PriorPromptAttribute(string text) => Text = text;

    /// <summary>The instruction, prepended as is (include a separator such as a newline).</summary>
    public string Text { get; }

    /// <summary>Prepend it to evaluation prompts as well.</summary>
    public bool AtEvaluation { get; set; }
}
