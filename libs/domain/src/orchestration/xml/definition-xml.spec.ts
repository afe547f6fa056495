import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DomainError } from '../../shared/domain-error';
import type { OrchestrationTaskDefinition } from '../definition/types';
import { validateOrchestrationDefinition } from '../definition/validate';
import {
  parseOrchestrationDefinitionsXml,
  parseOrchestrationDefinitionXml,
  SAMPLE_NAMESPACES,
  toOrchestrationDefinitionsXml,
  toOrchestrationDefinitionXml,
} from './definition-xml';
import { MAX_XML_BYTES } from './safe-xml';

const sample = readFileSync(join(__dirname, '__fixtures__', 'sample-orchestration-task.xml'), 'utf8');

const sampleDefinition: OrchestrationTaskDefinition = {
  id: 'sample_orchestration_task',
  name: 'Sample Orchestration Task',
  description: 'Description of Sample Orchestration Task',
  active: true,
  executionTimeLimit: '12:12',
  timeZone: 'UTC',
  orchestratedTasks: [
    {
      taskId: 'test_exportTaskId',
      taskType: 'EXPORT',
      taskStartsAfter: '12:13',
      timeZone: 'UTC',
      taskExecutionCondition: { executeOnParentTaskFailure: true },
    },
    {
      taskId: 'test_importTaskId',
      taskType: 'IMPORT',
      taskStartsAfter: '12:13',
      timeZone: 'UTC',
      taskExecutionCondition: { executeOnParentTaskFailure: false },
    },
  ],
  executionPlan: { scheduleType: 'ONCE', fireTime: '2020-05-18T10:12:39.527Z', interval: 0 },
};

const wrap = (body: string, attributes = `xmlns:dmn="http://www.memority.com/domino_sync/1_0" id="x"`) =>
  `<?xml version="1.0" encoding="UTF-8"?>\n<dmn:OrchestrationTaskDefinition ${attributes}>${body}</dmn:OrchestrationTaskDefinition>`;
const minimal = '<name>N</name><orchestratedTasks><orchestratedTask><taskId>t</taskId><taskType>IMPORT</taskType></orchestratedTask></orchestratedTasks>';

function errorOf(run: () => unknown): DomainError {
  try {
    run();
  } catch (error) {
    if (error instanceof DomainError) return error;
    throw error;
  }
  throw new Error('expected a DomainError');
}

describe('orchestration definition XML', () => {
  it('imports the seed sample exactly as printed', () => {
    expect(parseOrchestrationDefinitionXml(sample)).toEqual(sampleDefinition);
  });

  it('the imported sample is a valid definition', () => {
    expect(validateOrchestrationDefinition(parseOrchestrationDefinitionXml(sample))).toEqual([]);
  });

  it('exports with the sample namespaces, root element and element names', () => {
    const xml = toOrchestrationDefinitionXml(sampleDefinition);
    expect(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<dmn:OrchestrationTaskDefinition ')).toBe(true);
    for (const [prefix, uri] of Object.entries(SAMPLE_NAMESPACES)) expect(xml).toContain(`xmlns:${prefix}="${uri}"`);
    expect(xml).toContain('id="sample_orchestration_task"');
    expect(xml).toContain(
      [
        '   <orchestratedTasks>',
        '      <orchestratedTask>',
        '         <taskId>test_exportTaskId</taskId>',
        '         <taskType>EXPORT</taskType>',
        '         <taskStartsAfter>12:13</taskStartsAfter>',
        '         <timeZone>UTC</timeZone>',
        '         <taskExecutionCondition>',
        '            <executeOnParentTaskFailure>true</executeOnParentTaskFailure>',
        '         </taskExecutionCondition>',
        '      </orchestratedTask>',
      ].join('\n'),
    );
    expect(xml).toContain(
      '   <executionPlan>\n      <scheduleType>ONCE</scheduleType>\n      <fireTime>2020-05-18T10:12:39.527Z</fireTime>\n      <interval>0</interval>\n   </executionPlan>',
    );
  });

  it('round-trips: import → export → import gives the same definition', () => {
    const imported = parseOrchestrationDefinitionXml(sample);
    expect(parseOrchestrationDefinitionXml(toOrchestrationDefinitionXml(imported))).toEqual(imported);
  });

  it('round-trips the properties the sample lacks, and text that needs escaping', () => {
    const definition: OrchestrationTaskDefinition = {
      id: 'a&b',
      name: 'R&D <night> "run"',
      description: '',
      executionDurationLimit: 'PT4H',
      timeZone: 'Europe/Paris',
      orchestratedTasks: [{ taskId: 't1', taskType: 'PROVISIONING' }, { taskId: 't2', taskType: 'billing.export', taskExecutionCondition: {} }],
      executionPlan: { scheduleType: 'CRON', cronExpression: '0 1 * * 1-5', timeZone: 'Europe/Paris' },
    };
    expect(parseOrchestrationDefinitionXml(toOrchestrationDefinitionXml(definition))).toEqual(definition);
  });

  it('bulk: exports many definitions under dmn:OrchestrationTaskDefinitions and imports them back', () => {
    const second = { ...sampleDefinition, id: 'second', executionPlan: { scheduleType: 'INTERVAL' as const, fireTime: '2025-01-01T00:00:00Z', interval: 3600 } };
    const xml = toOrchestrationDefinitionsXml([sampleDefinition, second]);
    expect(xml).toContain('<dmn:OrchestrationTaskDefinitions xmlns:ctdcore=');
    expect(parseOrchestrationDefinitionsXml(xml)).toEqual([sampleDefinition, second]);
    expect(parseOrchestrationDefinitionsXml(toOrchestrationDefinitionsXml([]))).toEqual([]);
  });

  it('bulk import also takes a single definition document', () => {
    expect(parseOrchestrationDefinitionsXml(sample)).toEqual([sampleDefinition]);
  });

  it('accepts another prefix bound to the same namespace, and decodes predefined entities', () => {
    const xml = wrap(minimal.replace('<name>N</name>', '<name>A &amp; B &#x263A;</name>'), 'xmlns:sync="http://www.memority.com/domino_sync/1_0" id="x"')
      .replace(/dmn:/g, 'sync:');
    expect(parseOrchestrationDefinitionXml(xml).name).toBe('A & B ☺');
  });

  describe('rejects', () => {
    it('a DOCTYPE declaration', () => {
      const xml = `<?xml version="1.0"?>\n<!DOCTYPE dmn:OrchestrationTaskDefinition [<!ENTITY lol "lol">]>\n${wrap(minimal).split('\n')[1]}`;
      expect(errorOf(() => parseOrchestrationDefinitionXml(xml)).message).toBe('xml: DOCTYPE declarations are not allowed');
    });

    it('an ENTITY declaration', () => {
      expect(errorOf(() => parseOrchestrationDefinitionXml(`<!ENTITY x SYSTEM "file:///etc/passwd">${wrap(minimal)}`)).message).toMatch(
        /ENTITY declarations are not allowed/,
      );
    });

    it('an entity that only a DTD could define', () => {
      expect(errorOf(() => parseOrchestrationDefinitionXml(wrap(minimal.replace('>N<', '>&xxe;<')))).details.errors).toEqual([
        { field: 'name', message: 'uses the unknown entity "&xxe;"' },
      ]);
    });

    it('input over 1 MiB', () => {
      const big = wrap(`${minimal}<description>${'x'.repeat(MAX_XML_BYTES)}</description>`);
      expect(errorOf(() => parseOrchestrationDefinitionXml(big)).message).toMatch(/the limit is 1048576/);
    });

    it('nesting deeper than 32 levels', () => {
      const deep = `${'<a>'.repeat(33)}${'</a>'.repeat(33)}`;
      expect(errorOf(() => parseOrchestrationDefinitionXml(wrap(deep))).message).toBe('xml: nests elements deeper than 32 levels');
      expect(errorOf(() => parseOrchestrationDefinitionXml(wrap(`${'<a>'.repeat(20)}${'</a>'.repeat(20)}`))).message).not.toMatch(/deeper/);
    });

    it('XML that is not well-formed', () => {
      expect(errorOf(() => parseOrchestrationDefinitionXml(wrap('<name>N</nom>'))).message).toMatch(/not well-formed/);
    });

    it('a wrong root element or namespace', () => {
      expect(errorOf(() => parseOrchestrationDefinitionXml('<dmn:Other xmlns:dmn="http://www.memority.com/domino_sync/1_0"/>')).message).toMatch(
        /root element/,
      );
      expect(errorOf(() => parseOrchestrationDefinitionXml(wrap(minimal, 'xmlns:dmn="urn:other" id="x"'))).message).toMatch(/namespace/);
    });

    it('unknown elements, naming the field path', () => {
      const xml = wrap(minimal.replace('<taskType>IMPORT</taskType>', '<taskType>IMPORT</taskType><priority>1</priority>'));
      expect(errorOf(() => parseOrchestrationDefinitionXml(xml)).details.errors).toEqual([
        { field: 'orchestratedTasks[0].priority', message: 'is not a known element' },
      ]);
    });

    it('a boolean that is not true or false, and a missing id', () => {
      expect(errorOf(() => parseOrchestrationDefinitionXml(wrap(`${minimal}<active>yes</active>`))).details.errors).toEqual([
        { field: 'active', message: 'must be true or false' },
      ]);
      expect(errorOf(() => parseOrchestrationDefinitionXml(wrap(minimal, 'xmlns:dmn="http://www.memority.com/domino_sync/1_0"'))).details.errors).toEqual([
        { field: 'id', message: 'the id attribute is required' },
      ]);
    });
  });
});
