using System.Security.Cryptography;
using Microsoft.Extensions.Configuration;

namespace Serverless.Core.Procurement;

/// <summary>A bid's content as stored before opening: AES-256-GCM ciphertext, its nonce and tag, base64.</summary>
public sealed record SealedContent(string Ciphertext, string Nonce, string Tag, string KeyId);

/// <summary>
/// Seals bids at rest (开标前保密). The key comes from configuration (<c>Procurement:BidSealingKey</c>, 32 bytes
/// base64; a Key Vault reference in Azure), so storage alone never reveals a bid; only the opening step
/// unseals. GCM also proves the content was not altered while sealed.
/// </summary>
public sealed class BidSealing
{
    private readonly byte[]? key;
    private readonly string keyId;

    public BidSealing(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var configured = configuration["Procurement:BidSealingKey"];
        key = string.IsNullOrWhiteSpace(configured) ? null : Convert.FromBase64String(configured);
        if (key is { Length: not 32 })
        {
            throw new InvalidOperationException("Procurement:BidSealingKey must be 32 bytes, base64.");
        }

        keyId = key is null ? "none" : Convert.ToHexStringLower(SHA256.HashData(key))[..12];
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
        using var aes = new AesGcm(Key, AesGcm.TagByteSizes.MaxSize);
        aes.Decrypt(Convert.FromBase64String(sealedContent.Nonce), ciphertext, Convert.FromBase64String(sealedContent.Tag), plaintext);
        return plaintext;
    }

    /// <summary>The receipt's hash: SHA-256 of exactly the bytes sealed.</summary>
    public static string Hash(byte[] plaintext) => Convert.ToHexStringLower(SHA256.HashData(plaintext));

    private byte[] Key => key ?? throw new InvalidOperationException(
        "No bid-sealing key: set Procurement:BidSealingKey (32 bytes, base64; from Key Vault in Azure).");
}
