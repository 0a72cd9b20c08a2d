// Module resolution hook: every import may take the "portrait-farm-source" export condition, so the workspace's
// packages resolve to their TypeScript sources. Other packages do not name that condition and resolve as usual.
export const SOURCE_CONDITION = 'portrait-farm-source';

export async function resolve(specifier, context, nextResolve) {
  if (context.conditions.includes(SOURCE_CONDITION)) return nextResolve(specifier, context);
  return nextResolve(specifier, { ...context, conditions: [...context.conditions, SOURCE_CONDITION] });
}
