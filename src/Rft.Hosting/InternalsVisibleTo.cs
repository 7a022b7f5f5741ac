using System.Runtime.CompilerServices;

[assembly: InternalsVisibleTo("Rft.Hosting.Tests")]
