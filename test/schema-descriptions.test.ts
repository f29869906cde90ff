// Every schema type, field, argument, input field and enum value carries a description, so GraphiQL's docs explorer is never blank.
import { isEnumType, isInputObjectType, isInterfaceType, isObjectType, type GraphQLSchema } from 'graphql';
import { describe, expect, it } from 'vitest';
import { schema } from '../src/schema/index.js';

const BUILT_IN_SCALARS = new Set(['String', 'Int', 'Float', 'Boolean', 'ID']);
const described = (text: string | null | undefined) => typeof text === 'string' && text.trim() !== '';

/** Every schema coordinate (type, Type.field, Type.field(arg), Input.field, Enum.VALUE) that lacks a description. */
function undescribed(s: GraphQLSchema): string[] {
  const missing: string[] = [];
  for (const type of Object.values(s.getTypeMap())) {
    if (type.name.startsWith('__') || BUILT_IN_SCALARS.has(type.name)) continue;
    if (!described(type.description)) missing.push(type.name);
    if (isObjectType(type) || isInterfaceType(type)) {
      for (const field of Object.values(type.getFields())) {
        if (!described(field.description)) missing.push(`${type.name}.${field.name}`);
        for (const arg of field.args)
          if (!described(arg.description)) missing.push(`${type.name}.${field.name}(${arg.name}:)`);
      }
    } else if (isInputObjectType(type)) {
      for (const field of Object.values(type.getFields()))
        if (!described(field.description)) missing.push(`${type.name}.${field.name}`);
    } else if (isEnumType(type)) {
      for (const value of type.getValues())
        if (!described(value.description)) missing.push(`${type.name}.${value.name}`);
    }
  }
  return missing;
}

describe('schema descriptions', () => {
  it('describes every type, field, argument, input field and enum value', () => {
    expect(undescribed(schema)).toEqual([]);
  });

  it('names in money and volume fields the unit they are in', () => {
    const bar = schema.getType('Bar');
    const fundamentals = schema.getType('Fundamentals');
    if (!isObjectType(bar) || !isObjectType(fundamentals)) throw new Error('Bar and Fundamentals must be object types');
    for (const name of ['open', 'high', 'low', 'close', 'vwap'])
      expect(bar.getFields()[name].description).toMatch(/dollars/);
    expect(bar.getFields().volume.description).toMatch(/shares/i);
    for (const name of ['revenue', 'netIncome', 'eps'])
      expect(fundamentals.getFields()[name].description).toMatch(/dollars/);
  });
});
