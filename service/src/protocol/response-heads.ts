/**
 * The parts of a V2 response that are the same for every request, written once (a precompiled
 * serializer; v2-codec.ts writes the rest): `{"model_name":…` per model name and
 * `{"name":…,"datatype":…,"shape":[` per output name and datatype. Both come from the served
 * models (requested outputs are checked against the model's), so the caches hold a few entries
 * per model.
 */
const modelHeads = new Map<string, string>();
const outputHeads = new Map<string, Map<string, string>>();

export function modelHead(model: string): string {
  let head = modelHeads.get(model);
  if (head === undefined) {
    head = `{"model_name":${JSON.stringify(model)},"model_version":"`;
    modelHeads.set(model, head);
  }
  return head;
}

export function outputHead(name: string, datatype: string): string {
  let byType = outputHeads.get(name);
  if (byType === undefined) {
    byType = new Map();
    outputHeads.set(name, byType);
  }
  let head = byType.get(datatype);
  if (head === undefined) {
    head = `{"name":${JSON.stringify(name)},"datatype":"${datatype}","shape":[`;
    byType.set(datatype, head);
  }
  return head;
}
