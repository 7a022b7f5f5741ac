using System.Text.RegularExpressions;
using OxyPlot;
using OxyPlot.Axes;
using OxyPlot.Legends;
using OxyPlot.Series;

namespace Rft.Hosting.Reports;

/// <summary>
/// One plot of the report, drawn by OxyPlot and exported as SVG for inlining in the page. Per-step series are drawn
/// thin and translucent with a moving average over them, so trends read through the noise of single steps.
/// </summary>
internal sealed partial class ReportChart(string title, string xTitle, string yTitle)
{
    public const int Width = 560;
    public const int Height = 300;

    /// <summary>The series colours, in order (Tableau 10): the page and its browser test know them.</summary>
    public static readonly OxyColor[] Palette =
    [
        OxyColor.FromRgb(0x1f, 0x77, 0xb4), OxyColor.FromRgb(0xff, 0x7f, 0x0e), OxyColor.FromRgb(0x2c, 0xa0, 0x2c),
        OxyColor.FromRgb(0xd6, 0x27, 0x28), OxyColor.FromRgb(0x94, 0x67, 0xbd), OxyColor.FromRgb(0x8c, 0x56, 0x4b),
        OxyColor.FromRgb(0xe3, 0x77, 0xc2), OxyColor.FromRgb(0x7f, 0x7f, 0x7f), OxyColor.FromRgb(0xbc, 0xbd, 0x22),
        OxyColor.FromRgb(0x17, 0xbe, 0xcf),
    ];

    // Above this many points a per-step series gets a moving average drawn over it.
    private const int SmoothAbove = 40;

    private readonly PlotModel _model = CreateModel(title, xTitle, yTitle);
    private int _colours;

    public string Title { get; } = title;

    /// <summary>Whether any series has a point.</summary>
    public bool HasData { get; private set; }

    /// <summary>Window of the moving average of the last smoothed series, or 0.</summary>
    public int SmoothingWindow { get; private set; }

    /// <summary>Fixes the value axis to [<paramref name="minimum"/>, <paramref name="maximum"/>] (shares, accuracies).</summary>
    public ReportChart WithRange(double minimum, double maximum)
    {
        var axis = _model.Axes.Single(a => a.Position == AxisPosition.Left);
        axis.Minimum = minimum;
        axis.Maximum = maximum;
        return this;
    }

    /// <summary>A metric reported every step: a thin line, and its moving average when the series is long.</summary>
    public ReportChart Steps(string name, IReadOnlyList<(double Step, double Value)> points)
    {
        if (points.Count == 0) return this;
        var colour = NextColour();
        if (points.Count <= SmoothAbove)
        {
            _model.Series.Add(Line(name, colour, 2, points, MarkerType.Circle));
            return this;
        }

        int window = Math.Max(3, points.Count / 40) | 1;
        SmoothingWindow = window;
        _model.Series.Add(Line(null, OxyColor.FromAColor(90, colour), 1, points, MarkerType.None));
        _model.Series.Add(Line(name, colour, 2.25, MovingAverage(points, window), MarkerType.None));
        return this;
    }

    /// <summary>A few measured points (evaluations), drawn as markers joined by a line.</summary>
    public ReportChart Points(string name, IReadOnlyList<(double Step, double Value)> points)
    {
        if (points.Count == 0) return this;
        _model.Series.Add(Line(name, NextColour(), 2, points, MarkerType.Circle, markerSize: 4.5));
        return this;
    }

    /// <summary>The plot as an SVG element, its ids prefixed with <paramref name="id"/> so that several plots can share a page.</summary>
    public string ToSvg(string id)
    {
        // A legend only tells series apart; the title names a single one.
        if (_model.Series.Count(s => s.Title is not null) > 1) AddLegend();
        string svg = SvgExporter.ExportToString(_model, Width, Height, isDocument: false, new PixelTextMeasurer(), useVerticalTextAlignmentWorkaround: true);
        svg = XmlDeclaration().Replace(svg, string.Empty);
        svg = ClipPathId().Replace(svg, match => match.Groups[1].Value + id + "-" + match.Groups[2].Value);
        return svg.Replace("<svg ", $"<svg id=\"{id}\" role=\"img\" aria-label=\"{System.Net.WebUtility.HtmlEncode(Title)}\" ", StringComparison.Ordinal).Trim();
    }

    /// <summary>Centred moving average; the window shrinks at the ends.</summary>
    internal static List<(double Step, double Value)> MovingAverage(IReadOnlyList<(double Step, double Value)> points, int window)
    {
        int half = window / 2;
        var averaged = new List<(double, double)>(points.Count);
        for (int i = 0; i < points.Count; i++)
        {
            int from = Math.Max(0, i - half), to = Math.Min(points.Count - 1, i + half);
            double sum = 0;
            for (int j = from; j <= to; j++) sum += points[j].Value;
            averaged.Add((points[i].Step, sum / (to - from + 1)));
        }

        return averaged;
    }

    private static PlotModel CreateModel(string title, string xTitle, string yTitle)
    {
        var grid = OxyColor.FromRgb(0xe6, 0xe6, 0xe6);
        var model = new PlotModel
        {
            Title = title,
            TitleFontSize = 14,
            DefaultFont = "Helvetica, Arial, sans-serif",
            DefaultFontSize = 11,
            Background = OxyColors.White,
            PlotAreaBorderColor = OxyColor.FromRgb(0xb0, 0xb0, 0xb0),
        };
        model.Axes.Add(new LinearAxis
        {
            Position = AxisPosition.Bottom, Title = xTitle, MajorGridlineStyle = LineStyle.Solid, MajorGridlineColor = grid, AxisTitleDistance = 4,
        });
        model.Axes.Add(new LinearAxis
        {
            Position = AxisPosition.Left, Title = yTitle, MajorGridlineStyle = LineStyle.Solid, MajorGridlineColor = grid, AxisTitleDistance = 6,
            MaximumPadding = 0.05, MinimumPadding = 0.05,
        });
        return model;
    }

    private void AddLegend() => _model.Legends.Add(new Legend
    {
        LegendPosition = LegendPosition.TopRight,
        LegendPlacement = LegendPlacement.Outside,
        LegendOrientation = LegendOrientation.Horizontal,
        LegendFontSize = 10,
    });

    private LineSeries Line(string? name, OxyColor colour, double thickness, IReadOnlyList<(double Step, double Value)> points, MarkerType marker, double markerSize = 3)
    {
        var series = new LineSeries
        {
            Title = name,
            Color = colour,
            StrokeThickness = thickness,
            MarkerType = marker,
            MarkerSize = markerSize,
            MarkerFill = colour,
        };
        foreach (var (step, value) in points)
        {
            if (double.IsFinite(value)) series.Points.Add(new DataPoint(step, value));
        }

        HasData |= series.Points.Count > 0;
        return series;
    }

    private OxyColor NextColour() => Palette[_colours++ % Palette.Length];

    [GeneratedRegex(@"<\?xml[^>]*\?>")]
    private static partial Regex XmlDeclaration();

    // OxyPlot numbers its clip paths from 1 in every plot: id="clipPath3" and url(#clipPath3).
    [GeneratedRegex(@"(id=""|url\(#)(clipPath\d+)")]
    private static partial Regex ClipPathId();
}
