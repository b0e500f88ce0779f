import { connect, Socket } from 'node:net';
import type { HttpAnswer, HttpCall } from './http-call';

const HEADER_END = Buffer.from('\r\n\r\n');
const CHUNKED_END = Buffer.from('0\r\n\r\n');

/** A call as the bytes of its HTTP/1.1 request, built once: the load generator only writes them. */
export function encodeCall(call: HttpCall): Buffer {
  const head =
    `${call.method} ${call.path} HTTP/1.1\r\nhost: 127.0.0.1\r\nconnection: keep-alive\r\n` +
    Object.entries(call.headers)
      .map(([name, value]) => `${name}: ${value}\r\n`)
      .join('') +
    '\r\n';
  return Buffer.concat([Buffer.from(head), Buffer.from(call.body ?? '')]);
}

/** The response being read on one connection. */
interface Pending {
  resolve: (answer: HttpAnswer) => void;
  reject: (error: Error) => void;
  expect: number;
}

/**
 * One keep-alive connection speaking just enough HTTP/1.1 for the benchmarks: one request at a
 * time, the response framed by content-length (or a chunked body's last chunk). Node's http
 * client parses every header into objects and emits a dozen events a response; in the same
 * process as the server, its CPU competed with the API's, so the load generator writes prepared
 * bytes and only looks for the status and the end of the body.
 */
class Connection {
  private buffered: Buffer = Buffer.alloc(0);
  private pending: Pending | undefined;
  private failure: Error | undefined;

  private constructor(private readonly socket: Socket) {
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.receive(chunk));
    socket.on('error', (error) => this.fail(error));
    socket.on('close', () => this.fail(new Error('the server closed the connection')));
  }

  static open(port: number): Promise<Connection> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host: '127.0.0.1', port }, () => {
        socket.off('error', reject);
        resolve(new Connection(socket));
      });
      socket.once('error', reject);
    });
  }

  send(request: Buffer, expect: number): Promise<HttpAnswer> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.pending = { resolve, reject, expect };
      this.socket.write(request);
    });
  }

  /** Closed by the server (e.g. its keep-alive timeout) or broken: not to be sent on again. */
  get broken(): boolean {
    return this.failure !== undefined;
  }

  close(): void {
    this.socket.destroy();
  }

  private receive(chunk: Buffer): void {
    this.buffered = this.buffered.length === 0 ? chunk : Buffer.concat([this.buffered, chunk]);
    const pending = this.pending;
    if (!pending) return this.fail(new Error('data arrived with no request in flight'));
    const headerEnd = this.buffered.indexOf(HEADER_END);
    if (headerEnd < 0) return;
    const head = this.buffered.toString('latin1', 0, headerEnd);
    const status = Number(head.slice(9, 12));
    const bodyStart = headerEnd + HEADER_END.length;
    const length = /\r\ncontent-length: *(\d+)/i.exec(head);
    let end: number;
    if (status === 204 || status === 304) {
      end = bodyStart;
    } else if (length) {
      end = bodyStart + Number(length[1]);
      if (this.buffered.length < end) return;
    } else if (/\r\ntransfer-encoding: *chunked/i.test(head)) {
      const last = this.buffered.indexOf(CHUNKED_END, bodyStart);
      if (last < 0) return;
      end = last + CHUNKED_END.length;
    } else {
      return this.fail(new Error(`a response with neither content-length nor chunked body: ${head.slice(0, 200)}`));
    }
    const body = status === pending.expect ? '' : this.buffered.toString('utf8', bodyStart, end);
    this.buffered = this.buffered.subarray(end);
    this.pending = undefined;
    pending.resolve({ status, body });
  }

  private fail(error: Error): void {
    this.failure ??= error;
    const pending = this.pending;
    this.pending = undefined;
    pending?.reject(error);
  }
}

/**
 * At most `size` keep-alive connections to the server on 127.0.0.1:`port`, opened as needed; a
 * call waits for a free one. The load loops never have more calls in flight than connections.
 */
export class ConnectionPool {
  private readonly idle: Connection[] = [];
  private readonly waiting: Array<(connection: Connection) => void> = [];
  private readonly all: Connection[] = [];
  private opening = 0;

  constructor(
    private readonly port: number,
    private readonly size: number,
  ) {}

  async send(request: Buffer, expect: number): Promise<HttpAnswer> {
    const connection = await this.acquire();
    try {
      return await connection.send(request, expect);
    } finally {
      this.release(connection);
    }
  }

  destroy(): void {
    for (const connection of this.all) connection.close();
  }

  private async acquire(): Promise<Connection> {
    for (let idle = this.idle.pop(); idle; idle = this.idle.pop()) {
      if (!idle.broken) return idle;
      this.all.splice(this.all.indexOf(idle), 1);
    }
    if (this.all.length + this.opening < this.size) {
      this.opening++;
      try {
        const connection = await Connection.open(this.port);
        this.all.push(connection);
        return connection;
      } finally {
        this.opening--;
      }
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  private release(connection: Connection): void {
    const next = this.waiting.shift();
    if (next) next(connection);
    else this.idle.push(connection);
  }
}
