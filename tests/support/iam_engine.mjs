// The independent IAM engine the sandbox's evaluator is checked against: @cloud-copilot/iam-simulate
// (AGPL-3.0, a devDependency used by tests only; never in the layer, never imported by the plane).
// Reads a JSON list of simulations (the package's `Simulation` shape) on stdin and prints, in order, one
// {"result", "ignored"} per simulation ("Allowed", "ExplicitlyDenied", "ImplicitlyDenied"), or {"error"}
// when the engine refuses the input. One process answers every request.
// Usage: node tests/support/iam_engine.mjs < simulations.json > decisions.json
import { runSimulation } from "@cloud-copilot/iam-simulate";

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const simulations = JSON.parse(Buffer.concat(chunks).toString("utf8"));

const decisions = [];
for (const simulation of simulations) {
  const answer = await runSimulation(simulation, { simulationMode: "Strict" });
  if (answer.resultType === "error") {
    decisions.push({ error: answer.errors.message, details: answer.errors });
  } else if (answer.resultType === "single") {
    decisions.push({ result: answer.overallResult, ignored: answer.result.ignoredContextKeys ?? [] });
  } else {
    decisions.push({ result: answer.overallResult, ignored: answer.results[0]?.ignoredContextKeys ?? [] });
  }
}
process.stdout.write(JSON.stringify(decisions));
