import { ArgumentsHost, Catch, RpcExceptionFilter } from '@nestjs/common';
import { Observable, throwError } from 'rxjs';

/**
 * Nest's default RPC filter turns every error into a plain object, which would hide whether it was
 * invalid input (DLQ) or transient (retry). This filter hands the original error to the transport.
 */
@Catch()
export class RethrowToTransport implements RpcExceptionFilter<unknown> {
  catch(exception: unknown, _host: ArgumentsHost): Observable<never> {
    return throwError(() => exception);
  }
}
