using System.Security.Cryptography;
using Microsoft.Extensions.Configuration;

namespace Serverless.Core.Procurement;

/// <summary>A bid's content as stored before opening: AES-256-GCM ciphertext, its nonce and tag, base64.</summary>
public sealed record SealedContent(string Ciphertext, string Nonce, string Tag, string KeyId);

/// <summary>
/// Seals bids at rest (开标前保密). The key comes from configuration (<c>Procurement:BidSealingKey</c>, 32 bytes
/// base64; a Key Vault reference in Azure), so storage alone never reveals a bid; only the opening step
/// unseals. GCM also proves the content was not altered while sealed. Each sealed bid names its key (a hash
/// prefix), so the key can be rotated while tenders are open: new bids are sealed with the current key, and
/// bids sealed before the rotation are opened with <c>Procurement:PreviousBidSealingKey</c> (docs/DEPLOY.md).
/// </summary>
public sealed class BidSealing
{
    private readonly byte[]? key;
    private readonly string keyId;
    private readonly byte[]? previous;
    private readonly string? previousId;

    public BidSealing(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        key = Read(configuration, "Procurement:BidSealingKey");
        keyId = key is null ? "none" : IdOf(key);
        previous = Read(configuration, "Procurement:PreviousBidSealingKey");
        previousId = previous is null ? null : IdOf(previous);
    }

    public SealedContent Seal(byte[] plaintext)
    {
        ArgumentNullException.ThrowIfNull(plaintext);
        using var aes = new AesGcm(Key, AesGcm.TagByteSizes.MaxSize);
        var nonce = RandomNumberGenerator.GetBytes(AesGcm.NonceByteSizes.MaxSize);
        var ciphertext = new byte[plaintext.Length];
        var tag = new byte[AesGcm.TagByteSizes.MaxSize];
        aes.Encrypt(nonce, plaintext, ciphertext, tag);
        return new SealedContent(Convert.ToBase64String(ciphertext), Convert.ToBase64String(nonce), Convert.ToBase64String(tag), keyId);
    }

    public byte[] Unseal(SealedContent sealedContent)
    {
        ArgumentNullException.ThrowIfNull(sealedContent);
        var ciphertext = Convert.FromBase64String(sealedContent.Ciphertext);
        var plaintext = new byte[ciphertext.Length];
        using var aes = new AesGcm(KeyFor(sealedContent.KeyId), AesGcm.TagByteSizes.MaxSize);
        aes.Decrypt(Convert.FromBase64String(sealedContent.Nonce), ciphertext, Convert.FromBase64String(sealedContent.Tag), plaintext);
        return plaintext;
    }

    /// <summary>The receipt's hash: SHA-256 of exactly the bytes sealed.</summary>
    public static string Hash(byte[] plaintext) => Convert.ToHexStringLower(SHA256.HashData(plaintext));

    private byte[] Key => key ?? throw new InvalidOperationException(
        "No bid-sealing key: set Procurement:BidSealingKey (32 bytes, base64; from Key Vault in Azure).");

    private byte[] KeyFor(string id) =>
        id == keyId ? Key
        : id == previousId ? previous!
        : throw new InvalidOperationException(
            $"The bid was sealed with key {id}, which is neither the current key ({keyId}) nor the previous one ({previousId ?? "none"}): set Procurement:PreviousBidSealingKey to it.");

    private static string IdOf(byte[] key) => Convert.ToHexStringLower(SHA256.HashData(key))[..12];

    private static byte[]? Read(IConfiguration configuration, string name)
    {
        var configured = configuration[name];
        var key = string.IsNullOrWhiteSpace(configured) ? null : Convert.FromBase64String(configured);
        return key is { Length: not 32 } ? throw new InvalidOperationException($"{name} must be 32 bytes, base64.") : key;
    }
}
