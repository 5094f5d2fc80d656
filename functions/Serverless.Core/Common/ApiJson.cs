using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Serverless.Core.Common;

/// <summary>One JSON dialect for every request, reply, stored document and queue message.</summary>
public static class ApiJson
{
    /// <summary>
    /// Strict for requests: unknown members are refused rather than silently dropped, so a misspelt field
    /// is a clear 400 instead of a lost value.
    /// </summary>
    public static readonly JsonSerializerOptions Options = Create();

    /// <summary>
    /// The options request bodies are read with: <see cref="Options"/>, and also refusing what a client should
    /// never send and a stored document never holds. A property given twice (which value would count?), nesting
    /// deeper than any form, and text that no field takes: longer than <see cref="MaxText"/> characters (the
    /// Table service's limit for a property), C0/C1 control characters other than tab and line breaks, and the
    /// Unicode bidirectional overrides that make text display other than it reads. Lone surrogates and invalid
    /// UTF-8 the reader refuses itself. Each refusal is a <see cref="JsonException"/> with the field's path.
    /// </summary>
    public static readonly JsonSerializerOptions RequestOptions = CreateForRequests();

    /// <summary>The most characters any text field of a request takes; every field has its own, lower limit too.</summary>
    public const int MaxText = 32 * 1024;

    /// <summary>The deepest nesting a request may have: the forms nest four levels at most.</summary>
    public const int MaxRequestDepth = 16;

    private static JsonSerializerOptions CreateForRequests()
    {
        var options = new JsonSerializerOptions(Options)
        {
            AllowDuplicateProperties = false,
            MaxDepth = MaxRequestDepth,
        };
        options.Converters.Insert(0, new RequestTextConverter());
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }

    private static JsonSerializerOptions Create()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
            DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
            // Chinese text stays readable in replies and in stored documents.
            Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
            NumberHandling = JsonNumberHandling.Strict,
        };
        options.Converters.Add(new StrictEnumConverterFactory());
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }

    public static string Serialize<T>(T value) => JsonSerializer.Serialize(value, Options);

    public static T Deserialize<T>(string json) =>
        JsonSerializer.Deserialize<T>(json, Options) ?? throw new JsonException("The document is empty.");
}

/// <summary>
/// Enums as kebab-case names, one name per value. The framework's string enum converter also accepts
/// "a, b" and combines the values as if every enum were a set of flags: "disability, children" would read
/// as a third, unrelated area. Here only an exact name is a value.
/// </summary>
internal sealed class StrictEnumConverterFactory : JsonConverterFactory
{
    public override bool CanConvert(Type typeToConvert) => typeToConvert.IsEnum;

    public override JsonConverter CreateConverter(Type typeToConvert, JsonSerializerOptions options) =>
        (JsonConverter)Activator.CreateInstance(typeof(StrictEnumConverter<>).MakeGenericType(typeToConvert))!;

    private sealed class StrictEnumConverter<T> : JsonConverter<T>
        where T : struct, Enum
    {
        private static readonly Dictionary<string, T> ByName = Enum.GetValues<T>()
            .ToDictionary(v => JsonNamingPolicy.KebabCaseLower.ConvertName(v.ToString()), v => v, StringComparer.Ordinal);

        private static readonly Dictionary<T, string> NameOf = ByName.ToDictionary(p => p.Value, p => p.Key);

        public override T Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            if (reader.TokenType == JsonTokenType.String && ByName.TryGetValue(reader.GetString()!, out var value))
            {
                return value;
            }

            throw new JsonException($"Expected one of: {string.Join(", ", ByName.Keys)}.");
        }

        public override void Write(Utf8JsonWriter writer, T value, JsonSerializerOptions options) =>
            writer.WriteStringValue(NameOf.TryGetValue(value, out var name) ? name : throw new JsonException($"{value} is not a {typeof(T).Name}."));
    }
}

/// <summary>
/// A value a request was refused for, found while reading it (not a syntax error): too long, control
/// characters, not an id. Answered as a validation problem naming the field.
/// </summary>
public sealed class RequestValueException(string message, string? suffix = null) : JsonException(message)
{
    /// <summary>What to add to the reader's path to name the value (an item's index inside a list read at once).</summary>
    public string? Suffix { get; } = suffix;
}

/// <summary>Text in requests: within <see cref="ApiJson.MaxText"/> and free of control and bidi-override characters.</summary>
internal sealed class RequestTextConverter : JsonConverter<string>
{
    public override string? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.String)
        {
            throw new JsonException("Expected text.");
        }

        // Measured before it is decoded: one character is at most six bytes escaped (\uXXXX).
        var encoded = reader.HasValueSequence ? reader.ValueSequence.Length : reader.ValueSpan.Length;
        if (encoded > ApiJson.MaxText * 6)
        {
            throw new RequestValueException($"At most {ApiJson.MaxText} characters.");
        }

        var text = reader.GetString()!;
        return RequestText.Problem(text) is { } problem ? throw new RequestValueException(problem) : text;
    }

    public override void Write(Utf8JsonWriter writer, string value, JsonSerializerOptions options) => writer.WriteStringValue(value);
}

/// <summary>What makes text unacceptable in any field of a request, for JSON bodies, form posts and query strings alike.</summary>
public static class RequestText
{
    /// <summary>Why <paramref name="text"/> cannot be taken, or null when it can.</summary>
    public static string? Problem(string text, int max = ApiJson.MaxText)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Length > max)
        {
            return $"At most {max} characters.";
        }

        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (char.IsControl(c) && c is not '\t' and not '\n' and not '\r')
            {
                return "Contains control characters.";
            }

            if (c is (>= '\u202A' and <= '\u202E') or (>= '\u2066' and <= '\u2069'))
            {
                return "Contains bidirectional override characters.";
            }

            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++; // a pair: emoji, rare characters
            }
            else if (char.IsSurrogate(c))
            {
                return "Not valid Unicode text.";
            }
        }

        return null;
    }
}

/// <summary>
/// Marks a request field (or a list of them) that holds an id of this product: it is checked as it is read
/// (<see cref="RouteValues.IsId"/>), so a value with quotes, OData operators, '/', look-alike characters or
/// markup is refused with the field's name before any handler could use it for a storage read.
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field, AllowMultiple = false)]
public sealed class IdValueAttribute : JsonConverterAttribute
{
    public override JsonConverter? CreateConverter(Type typeToConvert) =>
        typeToConvert == typeof(string) ? new IdConverter()
        : typeToConvert == typeof(List<string>) ? new IdListConverter()
        : throw new InvalidOperationException($"[IdValue] marks text or a list of text, not {typeToConvert.Name}.");

    internal const string Message = "Not an id of this product: letters, digits, '-' and '_', at most 100 characters.";

    private sealed class IdConverter : JsonConverter<string>
    {
        public override string? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            if (reader.TokenType != JsonTokenType.String)
            {
                throw new JsonException("Expected text.");
            }

            var value = reader.GetString();
            return RouteValues.IsId(value) ? value : throw new RequestValueException(Message);
        }

        public override void Write(Utf8JsonWriter writer, string value, JsonSerializerOptions options) => writer.WriteStringValue(value);
    }

    private sealed class IdListConverter : JsonConverter<List<string>>
    {
        public override List<string>? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            if (reader.TokenType != JsonTokenType.StartArray)
            {
                throw new JsonException("Expected a list.");
            }

            var list = new List<string>();
            while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            {
                var value = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
                if (!RouteValues.IsId(value))
                {
                    // The reader's path stops at the list ($.memberOf): the item's index is added to it.
                    throw new RequestValueException(Message, $"[{list.Count}]");
                }

                list.Add(value!);
            }

            return list;
        }

        public override void Write(Utf8JsonWriter writer, List<string> value, JsonSerializerOptions options)
        {
            writer.WriteStartArray();
            foreach (var item in value)
            {
                writer.WriteStringValue(item);
            }

            writer.WriteEndArray();
        }
    }
}
