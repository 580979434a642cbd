using System.Net;
using System.Text.RegularExpressions;
using QRCoder;
using Switchboard.Tests.Infrastructure;

namespace Switchboard.Tests.Identity;

/// <summary>The sign-out form's antiforgery check and the authenticator set-up page's QR code.</summary>
public abstract partial class AccountPageTests(AppFixture fixture)
{
    private SwitchboardApp App => fixture.App;

    [Fact]
    public async Task Signing_out_without_the_antiforgery_token_is_refused_and_the_session_stays()
    {
        var tenant = await App.CreateTenantAsync();
        var user = await App.CreateUserAsync(tenant, "agent");
        using var browser = await App.SignInAsync(user);

        // What another site's auto-submitting form would send: the cookie rides along, the token does not.
        using (var forged = await browser.Http.PostAsync("/account/logout", new FormUrlEncodedContent(new Dictionary<string, string>())))
        {
            forged.StatusCode.Should().Be(HttpStatusCode.BadRequest);
            forged.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
        }

        (await browser.IsSignedInAsync()).Should().BeTrue("a cross-site post must not end the session");

        var page = await browser.Http.GetStringAsync("/account/security");
        var token = WebUtility.HtmlDecode(AntiforgeryToken().Match(page).Groups[1].Value);
        using var real = await browser.Http.PostAsync("/account/logout", new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = token }));
        real.StatusCode.Should().Be(HttpStatusCode.Redirect);
        real.Headers.Location!.ToString().Should().Be("/account/login");
        (await browser.IsSignedInAsync()).Should().BeFalse();
    }

    [Fact]
    public async Task The_authenticator_set_up_page_shows_a_QR_code_of_the_otpauth_link_drawn_on_the_server()
    {
        var tenant = await App.CreateTenantAsync();
        var user = await App.CreateUserAsync(tenant, "agent");
        using var browser = await App.SignInAsync(user);

        using var response = await browser.GetAsync("/account/mfa/setup");
        var html = await response.Content.ReadAsStringAsync();

        var uri = WebUtility.HtmlDecode(AuthenticatorUri().Match(html).Groups[1].Value);
        uri.Should().StartWith("otpauth://totp/").And.Contain("secret=");
        var image = QrImage().Match(html);
        image.Success.Should().BeTrue(html);
        var png = Convert.FromBase64String(WebUtility.HtmlDecode(image.Groups[1].Value));
        png.Should().Equal(PngByteQRCodeHelper.GetQRCode(uri, QRCodeGenerator.ECCLevel.M, 6), "the image is the QR code of the very link on the page");
        png.Take(8).Should().Equal(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A });
        SourcesOf().Matches(html).Select(m => m.Groups[1].Value).Should().OnlyContain(src => !src.StartsWith("http", StringComparison.Ordinal) && !src.StartsWith("//", StringComparison.Ordinal), "no outside service draws the code");
        string.Join(" ", response.Headers.GetValues("Content-Security-Policy")).Should().Contain("img-src 'self' data:");
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryToken();

    [GeneratedRegex("src=\"([^\"]+)\"")]
    private static partial Regex SourcesOf();

    [GeneratedRegex("href=\"(otpauth://[^\"]+)\"")]
    private static partial Regex AuthenticatorUri();

    [GeneratedRegex("<img src=\"data:image/png;base64,([^\"]+)\"[^>]*data-testid=\"authenticator-qr\"")]
    private static partial Regex QrImage();
}

public sealed class AccountPageTests_Sqlite(SqliteAppFixture fixture) : AccountPageTests(fixture), IClassFixture<SqliteAppFixture>;

public sealed class AccountPageTests_Postgres(PostgresAppFixture fixture) : AccountPageTests(fixture), IClassFixture<PostgresAppFixture>;
