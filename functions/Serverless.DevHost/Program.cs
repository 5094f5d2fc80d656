using Serverless.DevHost;

// The local host: the core's routes on Kestrel under /api, the durable engine on Azurite, the schedules
// and queue listeners. Composition lives in DevHostSetup so this stays a table of contents.
var builder = WebApplication.CreateBuilder(args);
await using var azurite = await builder.StartStorageAsync();
builder.AddDurableEngine();
builder.AddCoreAndJobs();

var app = builder.Build();
app.UseDevSignIn();
app.MapCoreRoutes();
app.MapDevSignIn();
app.MapDurableSidecar();
app.Lifetime.ApplicationStarted.Register(() => app.PrintWhereItListens());
await app.RunAsync();
