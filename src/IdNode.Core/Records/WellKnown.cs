namespace IdNode.Core.Records;

/// <summary>Indexes and types with a fixed meaning (ARCHITECTURE §1, PROTOCOLS §1–2).</summary>
public static class WellKnown
{
    public const int UrlIndex = 1;
    public const int AdminIndex = 100;
    public const int CredentialIndex = 300;
    public const int TemplateVersionIndex = 1001;
    public const int TemplateItemsStart = 2000;

    public const string Url = "URL";
    public const string HsAdmin = "HS_ADMIN";
    public const string HsSecKey = "HS_SECKEY";
    public const string HsPubKey = "HS_PUBKEY";
    public const string HsSite = "HS_SITE";
    public const string Loc = "10320/loc";

    public const int MaxTypeLength = 128;
    public const int MaxTemplateVersionLength = 128;
}
