import { Module } from '@nestjs/common';
import { APP_FILTER, APP_PIPE } from '@nestjs/core';
import { ProblemDetailsFilter } from './problem.filter';
import { createValidationPipe } from './validation';

/** The API's HTTP conventions for the app that imports it: problem+json errors, validated DTOs. */
@Module({
  providers: [
    { provide: APP_FILTER, useClass: ProblemDetailsFilter },
    { provide: APP_PIPE, useFactory: createValidationPipe },
  ],
})
export class HttpConventionsModule {}
