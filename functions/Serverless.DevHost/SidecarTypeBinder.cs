using System.Collections.Concurrent;
using DurableTask.AzureStorage;

namespace Serverless.DevHost;

/// <summary>
/// Names the .NET types inside the Azure Storage backend's queue messages. The Durable Task gRPC sidecar
/// hands the backend a sub-orchestration's tags as a protobuf <c>MapField&lt;string, string&gt;</c>, which the
/// backend records by type name and then cannot load back ("Could not resolve type MapField`2"), so every
/// sub-orchestration would fail. Recording any string map as a plain Dictionary fixes that; every other
/// type keeps its full name and assembly.
/// </summary>
internal sealed class SidecarTypeBinder : ICustomTypeBinder
{
    private static readonly Type StringMap = typeof(Dictionary<string, string>);
    private readonly ConcurrentDictionary<(string?, string), Type?> resolved = new();

    public void BindToName(Type serializedType, out string assemblyName, out string typeName)
    {
        ArgumentNullException.ThrowIfNull(serializedType);
        var type = serializedType.IsGenericType && serializedType.GetGenericTypeDefinition().FullName == "Google.Protobuf.Collections.MapField`2"
            ? StringMap
            : serializedType;
        assemblyName = type.Assembly.GetName().Name!;
        typeName = type.FullName!;
    }

    public Type BindToType(string assemblyName, string typeName)
    {
        ArgumentNullException.ThrowIfNull(typeName);
        return resolved.GetOrAdd((assemblyName, typeName), key => Resolve(key.Item1, key.Item2))
            ?? throw new TypeLoadException($"Could not resolve type '{typeName}' (assembly '{assemblyName}').");
    }

    private static Type? Resolve(string? assemblyName, string typeName)
    {
        if (typeName.StartsWith("Google.Protobuf.Collections.MapField`2", StringComparison.Ordinal))
        {
            return StringMap;
        }

        if (assemblyName is not null && Type.GetType($"{typeName}, {assemblyName}") is { } qualified)
        {
            return qualified;
        }

        return Type.GetType(typeName)
            ?? AppDomain.CurrentDomain.GetAssemblies().Select(a => a.GetType(typeName)).FirstOrDefault(t => t is not null);
    }
}
