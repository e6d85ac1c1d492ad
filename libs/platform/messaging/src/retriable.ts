/** Retries a broker call while Kafka says the error is retriable (leader elections right after topic creation). */
export async function retriable<T>(call: () => Promise<T>, attempts = 10, delayMs = 250): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await call();
    } catch (error) {
      const isRetriable = (error as { retriable?: boolean }).retriable === true;
      if (!isRetriable || attempt >= attempts) throw error;
      await new Promise((r) => setTimeout(r, delayMs * attempt));
    }
  }
}
