using Rft.Hosting;
using Rft.Pipelines.Tests.Pipelines.Resume;

namespace Rft.Pipelines.Tests;

/// <summary>
/// The test assembly's entry point when it runs as a program (<c>dotnet Rft.Pipelines.Tests.dll --Rft:...</c>): the real
/// generated host of <see cref="ResumeEcho"/>, for the test that kills it with SIGKILL and resumes it.
/// </summary>
public static class ResumeHostProgram
{
    public static Task<int> Main(string[] args) => RftHost.RunAsync(args, static builder => builder.Services.AddResumeEcho());
}
