// A local module for the Function step of the end-to-end happy path.
export function greet({ who }, { logger }) {
  logger.info(`hi ${who}`);
  return `greeted ${who}`;
}
