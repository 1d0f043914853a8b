/**
 * `--constraint` expressions as slurmctld 22.05 reads and matches them
 * (job_scheduler.c's build_feature_list and _valid_feature_list,
 * node_scheduler.c's valid_feature_counts, _valid_features and
 * _get_req_features): `a&b` (or `a,b`), `a|b`, `(a|b)&c`, one `[a|b]` set (all
 * nodes from one alternative), `a*2` (that many nodes with it). Pure.
 */
export type FeatureOp = 'and' | 'or' | 'xand' | 'xor' | 'end';

/** One feature of the expression: the operator after it, its `*count`, its parenthesis depth. */
export interface FeatureTerm {
  name: string;
  count: number;
  paren: number;
  op: FeatureOp;
}

/** slurmctld shows (and keeps) the expression with every `,` made `&`. */
export const constraintText = (expr: string): string => expr.replaceAll(',', '&');

/**
 * The terms of an expression, or undefined where slurmctld says `Invalid feature specification`
 * (an operator with no feature before it, `*` without a positive count or inside `( )`, nested or
 * unbalanced brackets, more than one `[ ]` set, a count on a `[a|b]` term or none on a `[a&b]` one).
 * Any other character belongs to a name (`h 100` is one name).
 */
export function parseConstraint(expr: string): FeatureTerm[] | undefined {
  const s = constraintText(expr);
  const terms: FeatureTerm[] = [];
  // a name runs from its first character to the next operator character; what follows `*N` up to the
  // next operator is ignored, as slurmctld cuts the string there
  let start = -1;
  let nameEnd = -1;
  let count = 0;
  let bracket = 0;
  let sets = 0;
  let paren = 0;
  for (let i = 0; ; i++) {
    const c = s[i];
    if (c !== undefined && !OPERATORS.has(c)) {
      if (start < 0) start = i;
      continue;
    }
    if (start >= 0 && nameEnd < 0) nameEnd = i;
    if (c === '*') {
      // strtol: blanks, a sign, digits
      const digits = /^[ \t\n\v\f\r]*[+-]?[0-9]+/.exec(s.slice(i + 1))?.[0] ?? '';
      count = digits === '' ? 0 : Number(digits.trim());
      if (start < 0 || count <= 0 || paren !== 0) return undefined;
      i += digits.length;
    } else if (c === '&' || c === '|') {
      if (start < 0) return undefined;
      const and = c === '&';
      const op: FeatureOp = !paren && bracket ? (and ? 'xand' : 'xor') : and ? 'and' : 'or';
      terms.push({ name: s.slice(start, nameEnd), count, paren, op });
      start = nameEnd = -1;
      count = 0;
    } else if (c === '[') {
      if (start >= 0 || bracket) return undefined;
      bracket++;
      if (++sets > 1) return undefined;
    } else if (c === ']') {
      if (start < 0 || bracket === 0) return undefined;
      bracket--;
    } else if (c === '(') {
      if (start >= 0 || paren) return undefined;
      paren++;
    } else if (c === ')') {
      if (start < 0 || paren === 0) return undefined;
      paren--;
    } else {
      if (start >= 0) terms.push({ name: s.slice(start, nameEnd), count, paren, op: 'end' });
      break;
    }
  }
  if (bracket !== 0 || paren !== 0) return undefined;
  return validBrackets(terms) ? terms : undefined;
}

const OPERATORS = new Set(['*', '&', '|', '[', ']', '(', ')']);

/** _valid_feature_list(): inside `[ ]`, `&` terms need a count and `|` terms may have none. */
function validBrackets(terms: FeatureTerm[]): boolean {
  let bracket = 0;
  let paren = 0;
  let hasXand = false;
  let hasXor = false;
  for (const t of terms) {
    if (t.op === 'xor' || t.op === 'xand') bracket = t.paren + 1;
    paren = t.paren;
    if (t.op === 'xand' && !t.count) return false;
    if (t.op === 'xor' && t.count) return false;
    if (bracket > paren && t.op !== 'xor' && t.op !== 'xand') {
      if ((hasXand && !t.count) || (hasXor && t.count)) return false;
      bracket = 0;
      hasXand = false;
      hasXor = false;
    }
    if (t.op === 'xand') hasXand = true;
    if (t.op === 'xor') hasXor = true;
  }
  return true;
}

/** A node's features, as a predicate. */
export type HasFeature = (feature: string) => boolean;

/**
 * What the expression asks of the nodes it runs on:
 * - `allowed`: the and/or part every node must satisfy (none when the expression has counts, as slurmctld);
 * - `alternatives`: with a `[a|b]` set, the job's nodes must all come from one of them;
 * - `counts`: this many of the job's nodes must satisfy each counted term.
 */
export interface NodeDemand {
  allowed: (has: HasFeature) => boolean;
  alternatives?: ((has: HasFeature) => boolean)[];
  /** `distinct`: a `[a*1&b*1]` term, whose nodes may not serve another term */
  counts: { match: (has: HasFeature) => boolean; count: number; distinct: boolean }[];
}

export function nodeDemand(terms: readonly FeatureTerm[]): NodeDemand {
  const hasCount = terms.some((t) => t.count > 0);
  return {
    allowed: hasCount ? () => true : (has) => andOr(terms, has),
    // a `[a*1&b*1]` set asks for counts, not for one alternative
    alternatives: terms.some((t) => t.op === 'xor') ? alternatives(terms) : undefined,
    counts: countedTerms(terms),
  };
}

/** valid_feature_counts(): left to right, `( )` as one operand; `[ ]` terms (and the one closing them) pass. */
function andOr(terms: readonly FeatureTerm[], has: HasFeature): boolean {
  let all = true;
  let group: boolean | undefined;
  let lastOp: FeatureOp = 'and';
  let groupOp: FeatureOp = 'and';
  let lastParen = 0;
  for (const t of terms) {
    if (lastParen < t.paren) {
      groupOp = lastOp;
      lastOp = 'and';
      group = true;
    }
    if (t.op !== 'xor' && t.op !== 'xand' && (lastOp === 'and' || lastOp === 'or')) {
      const v = has(t.name);
      const w: boolean = group ?? all;
      const next: boolean = lastOp === 'and' ? w && v : w || v;
      if (group === undefined) all = next;
      else group = next;
    }
    if (lastParen > t.paren) {
      all = groupOp === 'and' ? all && group! : all || group!;
      group = undefined;
    }
    lastOp = t.op;
    lastParen = t.paren;
  }
  return group ?? all;
}

/** _valid_features(): one alternative per `[ ]` term and per term right after one (each a feature or a `( )` group). */
function alternatives(terms: readonly FeatureTerm[]): ((has: HasFeature) => boolean)[] {
  const out: ((has: HasFeature) => boolean)[] = [];
  let lastOp: FeatureOp = 'and';
  for (let i = 0; i < terms.length; i++) {
    let t = terms[i]!;
    let match: (has: HasFeature) => boolean;
    if (t.paren > 0) {
      const group: FeatureTerm[] = [t];
      while (i + 1 < terms.length) {
        t = terms[++i]!;
        group.push(t);
        if (t.paren === 0) break;
      }
      match = groupMatch(group);
    } else {
      const name = t.name;
      match = (has) => has(name);
    }
    if (t.op === 'xand' || t.op === 'xor' || lastOp === 'xand' || lastOp === 'xor') {
      out.push(match);
      lastOp = t.op;
    }
  }
  return out;
}

/** A `( )` group: its features joined by the operators between them, left to right. */
function groupMatch(group: readonly FeatureTerm[]): (has: HasFeature) => boolean {
  return (has) => {
    let v = has(group[0]!.name);
    for (let i = 1; i < group.length; i++) v = group[i - 1]!.op === 'and' ? v && has(group[i]!.name) : v || has(group[i]!.name);
    return v;
  };
}

/** _get_req_features(): each `name*N` (or `( )*N` group) needs N nodes that match it. */
function countedTerms(terms: readonly FeatureTerm[]): NodeDemand['counts'] {
  const out: NodeDemand['counts'] = [];
  let group: FeatureTerm[] = [];
  // the term closing a `[a*1&b*1]` set follows an `&` inside it
  let xand = false;
  for (const t of terms) {
    group.push(t);
    if (t.paren > 0) continue;
    if (t.count > 0) out.push({ match: group.length > 1 ? groupMatch(group) : (has) => has(t.name), count: t.count, distinct: xand });
    xand = t.op === 'xand';
    group = [];
  }
  return out;
}

const demands = new Map<string, NodeDemand | undefined>();

/** The demand of a job's (already accepted) expression; parsed once per distinct text. */
export function demandOf(features: string | undefined): NodeDemand | undefined {
  if (features === undefined || features === '') return undefined;
  if (!demands.has(features)) {
    if (demands.size > 1000) demands.clear();
    const terms = parseConstraint(features);
    demands.set(features, terms && terms.length ? nodeDemand(terms) : undefined);
  }
  return demands.get(features);
}

/** A node's features as a predicate. */
export const featureTest = (features: readonly string[]): HasFeature => (f) => features.includes(f);

/** Does the node satisfy the and/or part and (if any) one of the `[ ]` alternatives? */
export function nodeMayServe(d: NodeDemand, has: HasFeature): boolean {
  return d.allowed(has) && (d.alternatives === undefined || d.alternatives.some((a) => a(has)));
}

/**
 * A job sent to several partitions (`-p h100,a100 -C a100`) that one of them cannot serve: slurmctld
 * accepts it (another can) but shows `Reason=BadConstraints` while it waits.
 */
export function unservedPartition(features: string | undefined, partitions: readonly string[], cluster: {
  nodes: readonly { name: string; features: readonly string[] }[]; partitions: readonly { name: string; nodes: readonly string[] }[];
}): boolean {
  const d = demandOf(features);
  if (d === undefined || partitions.length < 2) return false;
  return partitions.some((name) => {
    const p = cluster.partitions.find((x) => x.name === name);
    return p !== undefined && !demandSatisfiable(d, cluster.nodes.filter((n) => p.nodes.includes(n.name)));
  });
}

/**
 * Could some nodes among these ever satisfy the demand (slurmctld's test at submit)? Some node
 * passes the filter, and each counted term has enough nodes.
 */
export function demandSatisfiable(d: NodeDemand, nodes: readonly { features: readonly string[] }[]): boolean {
  const tests = nodes.map((n) => featureTest(n.features));
  if (!tests.some((has) => nodeMayServe(d, has))) return false;
  return d.counts.every((c) => tests.filter((has) => c.match(has)).length >= c.count);
}
