using System.Runtime.CompilerServices;

[assembly: InternalsVisibleTo("Rft.Runtime.Tests")]
