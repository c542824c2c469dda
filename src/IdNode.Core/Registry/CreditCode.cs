namespace IdNode.Core.Registry;

/// <summary>
/// The unified social credit code (GB 32100-2015): 18 characters from a 31-character alphabet
/// (no I, O, S, V, Z), the last one a check character over the first 17 (PROTOCOLS.md §3).
/// </summary>
public static class CreditCode
{
    private const string Alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY";
    private static readonly int[] Weights = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

    /// <summary>Null when valid, else what is wrong. Only upper-case ASCII is accepted (the code is printed that way).</summary>
    public static string? Validate(string? code)
    {
        if (string.IsNullOrEmpty(code))
            return "creditCode is required";
        if (code.Length != 18)
            return $"creditCode must be 18 characters (got {code.Length})";
        var sum = 0;
        for (var i = 0; i < 18; i++)
        {
            var v = Alphabet.IndexOf(code[i], StringComparison.Ordinal);
            if (v < 0)
                return $"creditCode character {i + 1} '{code[i]}' is not one of {Alphabet}";
            if (i < 17)
                sum += v * Weights[i];
        }
        var check = (31 - sum % 31) % 31;
        return Alphabet[check] == code[17] ? null : $"creditCode check character is wrong: expected '{Alphabet[check]}', got '{code[17]}'";
    }
}
