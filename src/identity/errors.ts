// Keystone's error body: {"error": {"code", "message", "title"}}. keystonemiddleware uses the same
// shape for the 401 it returns in front of Nova and Cinder.
const TITLES: Record<number, string> = { 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 405: 'Method Not Allowed', 409: 'Conflict', 413: 'Request Entity Too Large', 415: 'Unsupported Media Type' };

export class KeystoneError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
  body() {
    return { error: { code: this.status, message: this.message, title: TITLES[this.status] ?? 'Internal Server Error' } };
  }
}

export const AUTH_REQUIRED = 'The request you have made requires authentication.';
