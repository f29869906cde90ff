// Assembles the schema: importing a type file registers its types and fields with the builder.
import { builder } from './builder.js';
import './lake.js';
import './symbol.js';
import './bars.js';
import './jobs.js';
import './uploads.js';
import './snapshot.js';
import './reference.js';
import './corporate-actions.js';
import './calendar.js';
import './coverage.js';

export const schema = builder.toSchema();
