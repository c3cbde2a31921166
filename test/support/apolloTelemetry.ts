// @apollo/gateway reports anonymous usage metrics to Apollo unless
// APOLLO_TELEMETRY_DISABLED is set; the tests' gateways, in process or
// spawned with the test's environment, send nothing off the machine.
process.env.APOLLO_TELEMETRY_DISABLED ??= 'true';
