using System.Security.Cryptography;
using Microsoft.Extensions.Configuration;
using Serverless.Core.Procurement;

namespace Serverless.Core.Tests;

public sealed class BidSealingTests
{
    private static BidSealing WithKey(string? key) => new(new ConfigurationBuilder()
        .AddInMemoryCollection(new Dictionary<string, string?> { ["Procurement:BidSealingKey"] = key }).Build());

    private static readonly string Key = Convert.ToBase64String(Enumerable.Range(1, 32).Select(i => (byte)i).ToArray());

    [Fact]
    public void A_sealed_bid_unseals_to_exactly_the_bytes_its_receipt_hashes()
    {
        var sealing = WithKey(Key);
        var bytes = Bid.Canonical(new BidContent(480_000m, "每周两次上门陪伴，配备持证护理员 6 名。"));

        var sealedContent = sealing.Seal(bytes);

        Assert.DoesNotContain("陪伴", System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(sealedContent.Ciphertext)), StringComparison.Ordinal);
        Assert.Equal(bytes, sealing.Unseal(sealedContent));
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(bytes)), BidSealing.Hash(sealing.Unseal(sealedContent)));
    }

    [Fact]
    public void The_same_bid_sealed_twice_looks_different_so_equal_bids_cannot_be_spotted()
    {
        var sealing = WithKey(Key);
        var bytes = Bid.Canonical(new BidContent(100m, "同样的投标内容"));

        Assert.NotEqual(sealing.Seal(bytes).Ciphertext, sealing.Seal(bytes).Ciphertext);
    }

    [Fact]
    public void A_sealed_bid_altered_in_storage_does_not_unseal()
    {
        var sealing = WithKey(Key);
        var sealedContent = sealing.Seal(Bid.Canonical(new BidContent(100m, "原始内容")));
        var altered = Convert.FromBase64String(sealedContent.Ciphertext);
        altered[0] ^= 1;

        Assert.ThrowsAny<CryptographicException>(() => sealing.Unseal(sealedContent with { Ciphertext = Convert.ToBase64String(altered) }));
    }

    [Fact]
    public void Another_key_cannot_unseal_a_bid()
    {
        var sealedContent = WithKey(Key).Seal(Bid.Canonical(new BidContent(100m, "原始内容")));
        var other = WithKey(Convert.ToBase64String(new byte[32]));

        var refused = Assert.Throws<InvalidOperationException>(() => other.Unseal(sealedContent));
        Assert.Contains(sealedContent.KeyId, refused.Message, StringComparison.Ordinal);
        // Relabelled as sealed with the other key, it still does not open: the key decides, not the label.
        var relabelled = sealedContent with { KeyId = other.Seal([1]).KeyId };
        Assert.ThrowsAny<CryptographicException>(() => other.Unseal(relabelled));
    }

    [Fact]
    public void After_a_rotation_bids_sealed_before_open_with_the_previous_key_and_new_bids_are_sealed_with_the_new_one()
    {
        var bid = Bid.Canonical(new BidContent(100m, "轮换前提交的投标"));
        var before = WithKey(Key).Seal(bid);
        var newKey = Convert.ToBase64String(Enumerable.Range(100, 32).Select(i => (byte)i).ToArray());
        var rotated = new BidSealing(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Procurement:BidSealingKey"] = newKey,
            ["Procurement:PreviousBidSealingKey"] = Key,
        }).Build());

        Assert.Equal(bid, rotated.Unseal(before));
        var after = rotated.Seal(bid);
        Assert.NotEqual(before.KeyId, after.KeyId);
        Assert.Equal(bid, rotated.Unseal(after));
        Assert.Equal(bid, WithKey(newKey).Unseal(after));
    }

    [Fact]
    public void Without_a_key_sealing_fails_with_a_message_that_says_which_setting_is_missing()
    {
        var e = Assert.Throws<InvalidOperationException>(() => WithKey(null).Seal([1, 2, 3]));

        Assert.Contains("Procurement:BidSealingKey", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_key_of_the_wrong_length_is_refused_at_start()
    {
        Assert.Throws<InvalidOperationException>(() => WithKey(Convert.ToBase64String(new byte[16])));
    }
}
