/**
 * Sets style properties through the CSSOM. The CSP forbids inline style attributes (no
 * 'unsafe-inline'); properties set from the app's own script are allowed.
 */
export function css(node: HTMLElement, styles: Record<string, string>) {
  const apply = (next: Record<string, string>) => {
    for (const [name, value] of Object.entries(next)) node.style.setProperty(name, value);
  };
  apply(styles);
  return { update: apply };
}
