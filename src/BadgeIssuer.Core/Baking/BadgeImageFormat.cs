namespace BadgeIssuer.Core.Baking;

/// <summary>The image formats a credential can be baked into (OB 3.0 §"Baked Badge", BAKE-1).</summary>
public enum BadgeImageFormat
{
    Png,
    Svg,
}
