using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace Serverless.Integration.Tests.Harness;

/// <summary>Real HTTP to a DevHost, signing in through the DevHost's development sign-in header.</summary>
/// <param name="hostOutput">The DevHost's recent output, attached when a request fails at the transport level.</param>
public sealed class ApiClient(Uri baseAddress, Func<string>? hostOutput = null) : IDisposable
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly HttpClient http = new() { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(30) };

    public Task<Reply> GetAsync(string path, string? principal = null) => SendAsync(HttpMethod.Get, path, principal, null);

    public Task<Reply> PostAsync(string path, object? body, string? principal = null, string? idempotencyKey = null) =>
        SendAsync(HttpMethod.Post, path, principal, body is null ? null : JsonContent.Create(body, options: Json), idempotencyKey);

    public Task<Reply> PutAsync(string path, object body, string? principal = null) =>
        SendAsync(HttpMethod.Put, path, principal, JsonContent.Create(body, options: Json));

    public Task<Reply> PostFormAsync(string path, IEnumerable<KeyValuePair<string, string>> fields, string? principal = null, string? idempotencyKey = null) =>
        SendAsync(HttpMethod.Post, path, principal, new FormUrlEncodedContent(fields), idempotencyKey);

    public Task<Reply> PostRawAsync(string path, string body, string mediaType, string? principal = null) =>
        SendAsync(HttpMethod.Post, path, principal, new StringContent(body, new MediaTypeHeaderValue(mediaType)));

    public async Task<Reply> SendAsync(HttpMethod method, string path, string? principal, HttpContent? content,
        string? idempotencyKey = null, IDictionary<string, string>? headers = null)
    {
        using var request = new HttpRequestMessage(method, path.TrimStart('/')) { Content = content };
        if (principal is not null)
        {
            request.Headers.Add("X-Dev-Principal", principal);
        }

        if (idempotencyKey is not null)
        {
            request.Headers.Add("Idempotency-Key", idempotencyKey);
        }

        foreach (var (key, value) in headers ?? new Dictionary<string, string>())
        {
            request.Headers.TryAddWithoutValidation(key, value);
        }

        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request);
        }
        catch (HttpRequestException e) when (hostOutput is not null)
        {
            throw new HttpRequestException($"{method} {path} failed: {e.Message}{Environment.NewLine}The DevHost's last output:{Environment.NewLine}{hostOutput()}", e);
        }

        using var _ = response;
        var text = await response.Content.ReadAsStringAsync();
        var body = text.Length > 0 && response.Content.Headers.ContentType?.MediaType?.Contains("json", StringComparison.Ordinal) == true
            ? JsonDocument.Parse(text).RootElement.Clone()
            : default;
        return new Reply(response.StatusCode, body, text, response.Headers.Location?.ToString(),
            response.Content.Headers.ContentType?.MediaType)
        {
            StorageOperations = response.Headers.TryGetValues("X-Storage-Operations", out var counted) ? int.Parse(counted.First(), System.Globalization.CultureInfo.InvariantCulture) : null,
        };
    }

    public async Task<bool> IsHealthyAsync()
    {
        try
        {
            using var response = await http.GetAsync("health");
            return response.StatusCode == HttpStatusCode.OK;
        }
        catch (HttpRequestException)
        {
            return false;
        }
    }

    public void Dispose() => http.Dispose();
}

public sealed record Reply(HttpStatusCode Status, JsonElement Body, string Text, string? Location, string? MediaType)
{
    /// <summary>The storage operations the handler caused, when the DevHost counts them (the benchmarks).</summary>
    public int? StorageOperations { get; init; }

    public string? Code => Body.ValueKind == JsonValueKind.Object && Body.TryGetProperty("code", out var c) ? c.GetString() : null;

    public string Str(string property) => Body.GetProperty(property).GetString()!;

    public override string ToString() => $"{(int)Status} {Text}";
}
