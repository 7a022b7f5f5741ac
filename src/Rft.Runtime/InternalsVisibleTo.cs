using System.Runtime.CompilerServices;

[assembly: InternalsVisibleTo("Rft.Runtime.Tests")]
[assembly: InternalsVisibleTo("Rft.Bench")]
