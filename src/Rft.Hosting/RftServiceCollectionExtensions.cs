using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Rft.Training;

namespace Rft.Hosting;

/// <summary>Registers a pipeline's options and the training service.</summary>
public static class RftServiceCollectionExtensions
{
    /// <summary>The configuration section pipeline options bind from: <c>--Rft:Steps=500</c>, <c>Rft__Steps=500</c>.</summary>
    public const string OptionsSection = "Rft";

    /// <summary>
    /// Registers the background service that trains the single registered <see cref="IPipelineTrainer"/> with the
    /// registered <see cref="IRftOptions"/>: console progress, <c>metrics.jsonl</c>, checkpoint and <c>summary.json</c>
    /// in a new run directory. Its result is the singleton <see cref="TrainingOutcome"/>.
    /// </summary>
    public static IServiceCollection AddRftTraining(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.TryAddSingleton<TrainingOutcome>();
        services.TryAddSingleton(_ => RftConsole.Standard);
        services.TryAddSingleton(TimeProvider.System);
        services.AddHostedService<TrainingService>();
        return services;
    }

    /// <summary>
    /// Binds <typeparamref name="TOptions"/> from the configuration section <paramref name="sectionPath"/>, validates it
    /// at start with its own <see cref="IRftOptions.Validate"/> and against unknown keys, and registers it as
    /// <see cref="IRftOptions"/> and as itself.
    /// </summary>
    public static OptionsBuilder<TOptions> AddRftOptions<TOptions>(this IServiceCollection services, string sectionPath = OptionsSection)
        where TOptions : class, IRftOptions
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrEmpty(sectionPath);
        var builder = services.AddOptions<TOptions>().BindConfiguration(sectionPath).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TOptions>, RftOptionsValidator<TOptions>>());
        services.AddSingleton<IValidateOptions<TOptions>>(
            provider => new UnknownOptionsValidator<TOptions>(provider.GetRequiredService<IConfiguration>(), sectionPath));
        services.TryAddSingleton(provider => provider.GetRequiredService<IOptions<TOptions>>().Value);
        services.TryAddSingleton<IRftOptions>(provider => provider.GetRequiredService<TOptions>());
        services.TryAddSingleton(new RftOptionsRegistration(typeof(TOptions), sectionPath));
        return builder;
    }
}
