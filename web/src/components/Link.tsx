import type { ComponentChildren } from 'preact';
import { href, navigate } from '../router';

interface Props {
  to: string;
  children: ComponentChildren;
  class?: string;
  current?: boolean;
}

/** An in-app link: a real `<a href>` (open in new tab works) that navigates without reloading. */
export function Link({ to, children, class: cls, current }: Props) {
  const onClick = (event: MouseEvent) => {
    if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    navigate(to);
  };
  return (
    <a href={href(to)} onClick={onClick} class={cls} aria-current={current ? 'page' : undefined}>
      {children}
    </a>
  );
}
