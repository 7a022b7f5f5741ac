namespace Rft.Text;

/// <summary>An entry of <c>added_tokens</c>: matched in text before BPE; <see cref="Special"/> ones are skipped when decoding.</summary>
internal sealed record AddedToken(int Id, string Content, bool Special);
