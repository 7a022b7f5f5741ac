using OxyPlot;

namespace Rft.Hosting.Reports;

/// <summary>
/// Measures text for OxyPlot's SVG export as a browser will draw it. OxyPlot's default measurer, its PDF context,
/// knows Helvetica's glyph widths but answers in points, while the SVG's font sizes are CSS pixels (96 per inch, not
/// 72): tick labels came out a quarter too narrow and the axis titles overlapped them. It only measures.
/// </summary>
internal sealed class PixelTextMeasurer : RenderContextBase
{
    private const double PixelsPerPoint = 96.0 / 72.0;

    private readonly PdfRenderContext _points = new(1, 1, OxyColors.White);

    public override int ClipCount => 0;

    public override OxySize MeasureText(string text, string fontFamily, double fontSize, double fontWeight)
    {
        var size = _points.MeasureText(text, fontFamily, fontSize, fontWeight);
        return new OxySize(size.Width * PixelsPerPoint, size.Height * PixelsPerPoint);
    }

    public override void DrawLine(IList<ScreenPoint> points, OxyColor stroke, double thickness, EdgeRenderingMode edgeRenderingMode, double[]? dashArray, LineJoin lineJoin) =>
        throw new NotSupportedException("A text measurer does not draw.");

    public override void DrawPolygon(IList<ScreenPoint> points, OxyColor fill, OxyColor stroke, double thickness, EdgeRenderingMode edgeRenderingMode, double[]? dashArray, LineJoin lineJoin) =>
        throw new NotSupportedException("A text measurer does not draw.");

    public override void DrawText(ScreenPoint p, string text, OxyColor fill, string? fontFamily, double fontSize, double fontWeight, double rotation, HorizontalAlignment halign, VerticalAlignment valign, OxySize? maxSize) =>
        throw new NotSupportedException("A text measurer does not draw.");

    public override void PushClip(OxyRect clippingRectangle) => throw new NotSupportedException("A text measurer does not clip.");

    public override void PopClip() => throw new NotSupportedException("A text measurer does not clip.");
}
