using GenAiObs.Core.Pricing;

namespace GenAiObs.Cli.Commands;

/// <summary>The <c>--prices FILE</c> option of <c>replay</c> and <c>cost-estimate</c>: the embedded default table, or a file in its format.</summary>
internal static class PriceFileOption
{
    /// <summary>The table at <paramref name="path"/>, or the default when null; an unreadable or invalid file is a usage error naming it.</summary>
    public static PriceTable Load(string? path)
    {
        if (path is null)
        {
            return PriceTable.LoadDefault();
        }

        try
        {
            return PriceTable.Parse(File.ReadAllBytes(path));
        }
        catch (IOException ex)
        {
            throw new CliUsageException($"cannot read --prices {path}: {ex.Message}");
        }
        catch (PriceTableException ex)
        {
            throw new CliUsageException($"--prices {path}: {ex.Message}");
        }
    }
}
