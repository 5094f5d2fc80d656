using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;
using Serverless.Core.Common;
using Serverless.Core.Ventures;

namespace Serverless.Core.Tests;

public sealed class ProbeTests
{
    [Theory]
    [InlineData("psychological-comfort, culture")]
    [InlineData("disability, children")]
    [InlineData("elderly-care,children")]
    [InlineData("ElderlyCare")]
    [InlineData("ELDERLY-CARE")]
    [InlineData("3")]
    [InlineData("elderly_care")]
    public void Probe(string text)
    {
        string result;
        try
        {
            var v = ApiJson.Deserialize<ProgrammeArea>($"\"{text}\""); result = v.ToString() + " defined=" + Enum.IsDefined(v);
            try { result += " ser=" + ApiJson.Serialize(v); } catch (System.Text.Json.JsonException e) { result += " ser throws " + e.Message; }
            var f = ApplicationForm.FromForm(new FormCollection(new Dictionary<string, StringValues> { ["programmeArea"] = new StringValues(["disability", "children"]) }));
            result += " form=" + f.ProgrammeArea;
        }
        catch (System.Text.Json.JsonException e)
        {
            result = "JsonException " + e.Message;
        }

        Assert.Fail(text + " => " + result);
    }
}
