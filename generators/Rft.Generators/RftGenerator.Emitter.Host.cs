using Rft.Generators.Emit;
using Rft.Generators.Specs;

namespace Rft.Generators;

public sealed partial class RftGenerator
{
    internal static partial class Emitter
    {
        private static string EmitHost(PipelineSpec pipeline, BuildOptions build)
        {
            var writer = new SourceWriter();
            WriteHeader(writer, pipeline);
            writer.WriteLine($$"""
                /// <summary>Registers the <see cref="{{pipeline.FullName}}"/> pipeline with a generic host.</summary>
                {{GeneratedCodeAttribute}}
                {{Accessibility(pipeline)}} static class {{pipeline.Name}}ServiceCollectionExtensions
                """);
            writer.OpenBlock();
            writer.WriteLine(pipeline.HasInstanceRewards
                ? """
                  /// <summary>
                  /// Adds the pipeline's options (bound from the "Rft" section and validated at start), the
                  /// pipeline class (for instance rewards), its trainer and the Rft training service.
                  /// </summary>
                  """
                : """
                  /// <summary>
                  /// Adds the pipeline's options (bound from the "Rft" section and validated at start), its
                  /// trainer and the Rft training service.
                  /// </summary>
                  """);
            writer.WriteLine($$"""
                public static global::Microsoft.Extensions.DependencyInjection.IServiceCollection Add{{pipeline.Name}}(
                    this global::Microsoft.Extensions.DependencyInjection.IServiceCollection services)
                """);
            writer.OpenBlock();
            writer.WriteLine($"global::Rft.Hosting.RftServiceCollectionExtensions.AddRftOptions<{pipeline.OptionsFullName}>(services);");
            if (pipeline.HasInstanceRewards)
            {
                // The trainer calls instance rewards on this instance; a registration of the user's own wins.
                writer.WriteLine($"global::Microsoft.Extensions.DependencyInjection.Extensions.ServiceCollectionDescriptorExtensions.TryAddSingleton<{pipeline.FullName}>(services);");
            }

            writer.WriteLine($$"""
                global::Microsoft.Extensions.DependencyInjection.ServiceCollectionServiceExtensions.AddSingleton<global::Rft.Training.IPipelineTrainer, {{pipeline.FullName}}.Trainer>(services);
                global::Rft.Hosting.RftServiceCollectionExtensions.AddRftTraining(services);
                return services;
                """);
            writer.CloseBlock();
            writer.CloseBlock();

            if (build.EmitEntryPoint)
            {
                string extensions = (pipeline.Namespace.Length == 0 ? "global::" : "global::" + pipeline.Namespace + ".") + pipeline.Name + "ServiceCollectionExtensions";
                writer.WriteLine();
                writer.WriteLine($$"""
                    /// <summary>The project's entry point (MSBuild property RftEmitEntryPoint): <c>dotnet run</c> trains.</summary>
                    {{GeneratedCodeAttribute}}
                    internal static class {{pipeline.Name}}Program
                    {
                        public static global::System.Threading.Tasks.Task<int> Main(string[] args) =>
                            global::Rft.Hosting.RftHost.RunAsync(args, static builder => {{extensions}}.Add{{pipeline.Name}}(builder.Services));
                    }
                    """);
            }

            return writer.ToString();
        }

        /// <summary>
        /// The entry point of a pipeline with errors: it cannot run, but without a <c>Main</c> the compiler would add
        /// CS5001 ("no static Main method") to the RFT diagnostics that say what to fix.
        /// </summary>
        private static string EmitEntryPointStub(PipelineSpec pipeline)
        {
            var writer = new SourceWriter();
            WriteHeader(writer, pipeline);
            writer.WriteLine($$"""
                /// <summary>
                /// The project's entry point (MSBuild property RftEmitEntryPoint). The pipeline <c>{{pipeline.Name}}</c>
                /// has errors (the RFT diagnostics say what to fix): until they are fixed there is no trainer and this stub only fails.
                /// </summary>
                {{GeneratedCodeAttribute}}
                internal static class {{pipeline.Name}}Program
                {
                    public static int Main(string[] args)
                    {
                        global::System.Console.Error.WriteLine("The pipeline {{pipeline.Name}} has build errors (RFT diagnostics); fix them and build again.");
                        return 1;
                    }
                }
                """);
            return writer.ToString();
        }
    }
}
