namespace Rft.Generators.Specs;

/// <summary>[ReMix]: update-to-data ratio, the KL-convex weight of the base model, and the reincarnation step (0: never).</summary>
internal sealed record ReMixSpec(int UpdateToData, double KlConvexWeight, int ReincarnationStep);
