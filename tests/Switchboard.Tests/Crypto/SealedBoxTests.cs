using System.Security.Cryptography;
using System.Text;
using Switchboard.Common.Crypto;

namespace Switchboard.Tests.Crypto;

public class SealedBoxTests
{
    private static readonly byte[] Key = SealedBox.NewKey();
    private static readonly SealContext Here = new(Guid.CreateVersion7(), "Channels", Guid.CreateVersion7(), "AppSecret");

    [Fact]
    public void A_sealed_value_opens_in_its_own_context_only()
    {
        var sealedValue = SealedBox.Seal(Key, 3, "hello"u8, Here.ToAssociatedData());

        Encoding.UTF8.GetString(SealedBox.Open(Key, sealedValue, Here.ToAssociatedData())).Should().Be("hello");
        SealedBox.KeyVersionOf(sealedValue).Should().Be(3);

        foreach (var elsewhere in new[]
        {
            Here with { TenantId = Guid.CreateVersion7() },
            Here with { Table = "Contacts" },
            Here with { RowId = Guid.CreateVersion7() },
            Here with { Column = "AccessToken" },
        })
        {
            var open = () => SealedBox.Open(Key, sealedValue, elsewhere.ToAssociatedData());
            open.Should().Throw<CryptographicException>();
        }
    }

    [Fact]
    public void Every_seal_uses_a_fresh_nonce()
    {
        var seals = Enumerable.Range(0, 100).Select(_ => Convert.ToHexString(SealedBox.Seal(Key, 1, "same"u8, Here.ToAssociatedData()))).ToList();

        seals.Should().OnlyHaveUniqueItems();
    }

    [Fact]
    public void Any_flipped_bit_is_detected()
    {
        var sealedValue = SealedBox.Seal(Key, 1, "integrity matters"u8, Here.ToAssociatedData());
        for (var i = 5; i < sealedValue.Length; i++)
        {
            var tampered = (byte[])sealedValue.Clone();
            tampered[i] ^= 0x01;
            var open = () => SealedBox.Open(Key, tampered, Here.ToAssociatedData());
            open.Should().Throw<CryptographicException>($"byte {i} was changed");
        }
    }

    [Fact]
    public void The_wrong_key_does_not_open()
    {
        var sealedValue = SealedBox.Seal(Key, 1, "secret"u8, Here.ToAssociatedData());

        var open = () => SealedBox.Open(SealedBox.NewKey(), sealedValue, Here.ToAssociatedData());

        open.Should().Throw<CryptographicException>();
    }

    [Fact]
    public void Plaintext_does_not_appear_in_the_sealed_bytes()
    {
        var sealedValue = SealedBox.Seal(Key, 1, "CANARY-CANARY-CANARY"u8, Here.ToAssociatedData());

        Encoding.UTF8.GetString(sealedValue).Should().NotContain("CANARY");
    }

    [Fact]
    public void Master_keys_are_named_by_fingerprint_and_unknown_ones_are_refused()
    {
        var current = SealedBox.NewKey();
        var retired = SealedBox.NewKey();
        var ring = new MasterKeyRing(current, [retired]);
        var oldRing = new MasterKeyRing(retired, []);
        var wrappedByOld = oldRing.Wrap("data-key-material-32-bytes-long!"u8, "ctx");

        ring.CurrentId.Should().Be(MasterKeyRing.Fingerprint(current)).And.HaveLength(16);
        ring.Unwrap(oldRing.CurrentId, wrappedByOld, "ctx").Should().Equal("data-key-material-32-bytes-long!"u8.ToArray());
        var unknown = () => new MasterKeyRing(SealedBox.NewKey(), []).Unwrap(oldRing.CurrentId, wrappedByOld, "ctx");
        unknown.Should().Throw<CryptographicException>().WithMessage("*RetiredMasterKeys*");
    }

    [Theory]
    [InlineData("not base64!")]
    [InlineData("AAAA")]
    public void A_malformed_master_key_is_refused_with_a_clear_message(string value)
    {
        var parse = () => MasterKeyRing.Parse(value, "Switchboard:MasterKey");

        parse.Should().Throw<InvalidOperationException>().WithMessage("Switchboard:MasterKey must be base64 of 32 random bytes*");
    }

    [Theory]
    [InlineData("+1 (650) 555-1234", "16505551234")]
    [InlineData("16505551234", "16505551234")]
    [InlineData("+44 20 7946 0958", "442079460958")]
    public void Phone_numbers_are_normalised_to_whatsapp_ids(string input, string expected) =>
        BlindIndex.NormalizePhone(input).Should().Be(expected);
}
