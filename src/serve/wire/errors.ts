// A request the service refuses: 4xx with a JSON error (or the wire format's systemError).

export class BadRequest extends Error {
  constructor(
    message: string,
    readonly status = 400,
  ) {
    super(message);
    this.name = 'BadRequest';
  }
}
