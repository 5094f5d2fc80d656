using Microsoft.Extensions.Hosting;
using Serverless.Core;

// Composition lives in the core, so this host and the DevHost register exactly the same services.
new HostBuilder()
    .ConfigureFunctionsWebApplication()
    .ConfigureServices(services => services.AddServerlessCore())
    .Build()
    .Run();
