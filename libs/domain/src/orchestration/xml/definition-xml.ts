import { XMLBuilder } from 'fast-xml-parser';
import type {
  ExecutionPlan,
  OrchestratedTask,
  OrchestrationTaskDefinition,
  ScheduleType,
  TaskExecutionCondition,
} from '../definition/types';
import { decodeXmlText, parseUntrustedXml, xmlError } from './safe-xml';

/** The seed's sample root element and the namespace its `dmn` prefix is bound to. */
export const DEFINITION_ELEMENT = 'OrchestrationTaskDefinition';
/** This project's wrapper for bulk import and export; the seed shows only a single definition. */
export const DEFINITIONS_ELEMENT = 'OrchestrationTaskDefinitions';
export const DMN_NAMESPACE = 'http://www.memority.com/domino_sync/1_0';

/** Declared on every exported root, exactly as in the seed's sample, so Memority tools read our files. */
export const SAMPLE_NAMESPACES: Readonly<Record<string, string>> = {
  ctdcore: 'http://www.memority.com/citadel/core/1_0',
  ctdidm: 'http://www.memority.com/citadel/idm/1_0',
  dmn: DMN_NAMESPACE,
  kit: 'http://www.memority.com/toolkit/1_0',
  notify: 'http://www.memority.com/toolkit/addons/notify/1_0',
  rule: 'http://www.memority.com/toolkit/rule/1_0',
  search: 'http://www.memority.com/toolkit/search-expression/1_0',
  xs: 'http://www.w3.org/2001/XMLSchema',
  xsi: 'http://www.w3.org/2001/XMLSchema-instance',
};

type XmlNode = Record<string, unknown>;

const isNode = (value: unknown): value is XmlNode => typeof value === 'object' && value !== null && !Array.isArray(value);
const isAttribute = (key: string) => key.startsWith('@_');
const isNamespaceDeclaration = (key: string) => key === '@_xmlns' || key.startsWith('@_xmlns:');
const localName = (qname: string) => qname.slice(qname.indexOf(':') + 1);

/**
 * One definition from a `dmn:OrchestrationTaskDefinition` document. The result has the JSON shape
 * but is not yet checked for meaning (time zones, cron...): pass it to validateOrchestrationDefinition
 * or to the create command. Unknown elements and attributes are refused rather than dropped.
 */
export function parseOrchestrationDefinitionXml(xml: string): OrchestrationTaskDefinition {
  const [qname, node] = singleRoot(parseUntrustedXml(xml));
  if (localName(qname) !== DEFINITION_ELEMENT) {
    throw xmlError('xml', `root element must be dmn:${DEFINITION_ELEMENT}, not ${qname}`);
  }
  return definitionFrom(qname, node, [], '');
}

/** Many definitions: a `dmn:OrchestrationTaskDefinitions` wrapper, or a single definition document. */
export function parseOrchestrationDefinitionsXml(xml: string): OrchestrationTaskDefinition[] {
  const [qname, node] = singleRoot(parseUntrustedXml(xml));
  if (localName(qname) === DEFINITION_ELEMENT) return [definitionFrom(qname, node, [], '')];
  if (localName(qname) !== DEFINITIONS_ELEMENT) {
    throw xmlError('xml', `root element must be dmn:${DEFINITIONS_ELEMENT} or dmn:${DEFINITION_ELEMENT}, not ${qname}`);
  }
  const wrapper = node === '' ? {} : node;
  if (!isNode(wrapper)) throw xmlError('xml', `${qname} must contain definitions`);
  requireNamespace(qname, [wrapper], '');
  const definitions: OrchestrationTaskDefinition[] = [];
  for (const [key, value] of Object.entries(wrapper)) {
    if (isNamespaceDeclaration(key)) continue;
    if (localName(key) !== DEFINITION_ELEMENT) throw xmlError('xml', `${qname} may only contain dmn:${DEFINITION_ELEMENT}, not ${key}`);
    for (const child of asList(value)) {
      definitions.push(definitionFrom(key, child, [wrapper], `definitions[${definitions.length}]`));
    }
  }
  return definitions;
}

export function toOrchestrationDefinitionXml(definition: OrchestrationTaskDefinition): string {
  return build({ [`dmn:${DEFINITION_ELEMENT}`]: { ...namespaceAttributes(), ...definitionNode(definition) } });
}

export function toOrchestrationDefinitionsXml(definitions: readonly OrchestrationTaskDefinition[]): string {
  return build({
    [`dmn:${DEFINITIONS_ELEMENT}`]: { ...namespaceAttributes(), [`dmn:${DEFINITION_ELEMENT}`]: definitions.map(definitionNode) },
  });
}

function build(document: XmlNode): string {
  const builder = new XMLBuilder({ ignoreAttributes: false, attributeNamePrefix: '@_', format: true, indentBy: '   ' });
  return `<?xml version="1.0" encoding="UTF-8"?>\n${builder.build(document) as string}`;
}

const namespaceAttributes = (): XmlNode =>
  Object.fromEntries(Object.entries(SAMPLE_NAMESPACES).map(([prefix, uri]) => [`@_xmlns:${prefix}`, uri]));

/** Element order follows the seed's sample; properties the sample lacks go where the seed's table lists them. */
function definitionNode(definition: OrchestrationTaskDefinition): XmlNode {
  return compact({
    '@_id': definition.id,
    name: definition.name,
    description: definition.description,
    active: definition.active,
    executionTimeLimit: definition.executionTimeLimit,
    timeZone: definition.timeZone,
    executionDurationLimit: definition.executionDurationLimit,
    orchestratedTasks: { orchestratedTask: definition.orchestratedTasks.map(taskNode) },
    executionPlan: definition.executionPlan && planNode(definition.executionPlan),
  });
}

const taskNode = (task: OrchestratedTask): XmlNode =>
  compact({
    taskId: task.taskId,
    taskType: task.taskType,
    taskStartsAfter: task.taskStartsAfter,
    timeZone: task.timeZone,
    taskExecutionCondition: task.taskExecutionCondition && compact({ ...task.taskExecutionCondition }),
  });

const planNode = (plan: ExecutionPlan): XmlNode =>
  compact({
    scheduleType: plan.scheduleType,
    fireTime: plan.fireTime,
    interval: plan.interval,
    cronExpression: plan.cronExpression,
    timeZone: plan.timeZone,
    misfirePolicy: plan.misfirePolicy,
    overlapPolicy: plan.overlapPolicy,
  });

/** Absent properties become absent elements; booleans and numbers become their XML Schema text. */
function compact(node: Record<string, unknown>): XmlNode {
  const entries = Object.entries(node)
    .filter(([, value]) => value !== undefined)
    .map(([key, value]) => [key, typeof value === 'boolean' || typeof value === 'number' ? String(value) : value]);
  // An empty object would be built as a self-closing element with no children; '' gives the same on import.
  return entries.length === 0 ? ('' as unknown as XmlNode) : Object.fromEntries(entries);
}

function singleRoot(document: XmlNode): [string, unknown] {
  const roots = Object.entries(document);
  if (roots.length !== 1 || Array.isArray(roots[0][1])) throw xmlError('xml', 'must have exactly one root element');
  return roots[0];
}

function requireNamespace(qname: string, scopes: XmlNode[], field: string): void {
  const prefix = qname.includes(':') ? qname.slice(0, qname.indexOf(':')) : null;
  const declaration = prefix === null ? '@_xmlns' : `@_xmlns:${prefix}`;
  const scope = scopes.find((candidate) => typeof candidate[declaration] === 'string');
  const uri = scope && decodeXmlText(scope[declaration] as string, field || 'xml');
  if (uri !== DMN_NAMESPACE) {
    throw xmlError(field || 'xml', `${qname} must be in the namespace ${DMN_NAMESPACE}, not ${uri ?? 'no namespace'}`);
  }
}

const path = (prefix: string, property: string) => (prefix === '' ? property : `${prefix}.${property}`);

function definitionFrom(qname: string, raw: unknown, outer: XmlNode[], field: string): OrchestrationTaskDefinition {
  if (!isNode(raw)) throw xmlError(field || 'xml', `${qname} must contain elements`);
  requireNamespace(qname, [raw, ...outer], field);
  const children = elementsOf(raw, field, (key) => key === '@_id' || isNamespaceDeclaration(key));
  if (typeof raw['@_id'] !== 'string') throw xmlError(path(field, 'id'), 'the id attribute is required');
  const definition: Partial<OrchestrationTaskDefinition> & { id: string } = { id: decodeXmlText(raw['@_id'], path(field, 'id')) };
  for (const [key, value] of children) {
    const at = path(field, key);
    switch (key) {
      case 'name':
      case 'description':
      case 'executionTimeLimit':
      case 'timeZone':
      case 'executionDurationLimit':
        definition[key] = text(value, at);
        break;
      case 'active':
        definition.active = boolean(value, at);
        break;
      case 'orchestratedTasks':
        definition.orchestratedTasks = tasksFrom(value, at);
        break;
      case 'executionPlan':
        definition.executionPlan = planFrom(value, at);
        break;
      default:
        throw xmlError(at, 'is not a known element');
    }
  }
  if (definition.name === undefined) throw xmlError(path(field, 'name'), 'the name element is required');
  if (definition.orchestratedTasks === undefined) {
    throw xmlError(path(field, 'orchestratedTasks'), 'the orchestratedTasks element is required');
  }
  return definition as OrchestrationTaskDefinition;
}

function tasksFrom(raw: unknown, field: string): OrchestratedTask[] {
  const tasks: OrchestratedTask[] = [];
  for (const [key, value] of elementsOf(complex(raw, field), field)) {
    if (key !== 'orchestratedTask') throw xmlError(path(field, key), 'is not a known element');
    for (const item of asList(value)) tasks.push(taskFrom(item, `${field}[${tasks.length}]`));
  }
  return tasks;
}

function taskFrom(raw: unknown, field: string): OrchestratedTask {
  const task: Partial<OrchestratedTask> = {};
  for (const [key, value] of elementsOf(complex(raw, field), field)) {
    const at = path(field, key);
    switch (key) {
      case 'taskId':
      case 'taskType':
      case 'taskStartsAfter':
      case 'timeZone':
        task[key] = text(value, at);
        break;
      case 'taskExecutionCondition':
        task.taskExecutionCondition = conditionFrom(value, at);
        break;
      default:
        throw xmlError(at, 'is not a known element');
    }
  }
  if (task.taskId === undefined) throw xmlError(path(field, 'taskId'), 'the taskId element is required');
  if (task.taskType === undefined) throw xmlError(path(field, 'taskType'), 'the taskType element is required');
  return task as OrchestratedTask;
}

function conditionFrom(raw: unknown, field: string): TaskExecutionCondition {
  const condition: TaskExecutionCondition = {};
  for (const [key, value] of elementsOf(complex(raw, field), field)) {
    if (key !== 'executeOnParentTaskFailure') throw xmlError(path(field, key), 'is not a known element');
    condition.executeOnParentTaskFailure = boolean(value, path(field, key));
  }
  return condition;
}

function planFrom(raw: unknown, field: string): ExecutionPlan {
  const plan: Partial<ExecutionPlan> = {};
  for (const [key, value] of elementsOf(complex(raw, field), field)) {
    const at = path(field, key);
    switch (key) {
      case 'scheduleType':
        plan.scheduleType = text(value, at) as ScheduleType;
        break;
      case 'fireTime':
      case 'cronExpression':
      case 'timeZone':
        plan[key] = text(value, at);
        break;
      case 'misfirePolicy':
        plan.misfirePolicy = text(value, at) as ExecutionPlan['misfirePolicy'];
        break;
      case 'overlapPolicy':
        plan.overlapPolicy = text(value, at) as ExecutionPlan['overlapPolicy'];
        break;
      case 'interval': {
        const interval = text(value, at).trim();
        if (!/^-?\d+$/.test(interval)) throw xmlError(at, 'must be a whole number of seconds');
        plan.interval = Number(interval);
        break;
      }
      default:
        throw xmlError(at, 'is not a known element');
    }
  }
  if (plan.scheduleType === undefined) throw xmlError(path(field, 'scheduleType'), 'the scheduleType element is required');
  return plan as ExecutionPlan;
}

/** An element with children; `<x/>` comes out of the parser as '' and means no children. */
function complex(raw: unknown, field: string): XmlNode {
  if (raw === '') return {};
  if (!isNode(raw)) throw xmlError(field, Array.isArray(raw) ? 'appears more than once' : 'must contain elements');
  return raw;
}

/** The child elements; stray text and attributes other than the allowed ones are refused. */
function elementsOf(node: XmlNode, field: string, allowedAttribute: (key: string) => boolean = () => false): [string, unknown][] {
  const elements: [string, unknown][] = [];
  for (const [key, value] of Object.entries(node)) {
    if (isAttribute(key)) {
      if (!allowedAttribute(key)) throw xmlError(path(field, key.slice(2)), 'is not a known attribute');
    } else if (key === '#text' || key === '#cdata') {
      throw xmlError(field || 'xml', 'must not contain text beside its elements');
    } else elements.push([key, value]);
  }
  return elements;
}

function text(raw: unknown, field: string): string {
  if (typeof raw === 'string') return decodeXmlText(raw, field);
  if (Array.isArray(raw)) throw xmlError(field, 'appears more than once');
  if (isNode(raw) && Object.keys(raw).every((key) => key === '#cdata')) return String(raw['#cdata']);
  throw xmlError(field, 'must contain text only');
}

/** xs:boolean. */
function boolean(raw: unknown, field: string): boolean {
  const value = text(raw, field).trim();
  if (value === 'true' || value === '1') return true;
  if (value === 'false' || value === '0') return false;
  throw xmlError(field, 'must be true or false');
}

const asList = (value: unknown): unknown[] => (Array.isArray(value) ? value : [value]);
