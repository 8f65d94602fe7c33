import { Module } from '@nestjs/common';
import { APP_FILTER, APP_PIPE } from '@nestjs/core';
import { WellFormedStringsPipe } from './well-formed-strings.pipe';
import { ProblemDetailsFilter } from './problem.filter';
import { createValidationPipe } from './validation';

/** The API's HTTP conventions for the app that imports it: problem+json errors, validated DTOs. */
@Module({
  providers: [
    { provide: APP_FILTER, useClass: ProblemDetailsFilter },
    // Global pipes run in the order given: NUL is refused before anything else reads the value.
    { provide: APP_PIPE, useClass: WellFormedStringsPipe },
    { provide: APP_PIPE, useFactory: createValidationPipe },
  ],
})
export class HttpConventionsModule {}
