import * as Dialog from '@radix-ui/react-dialog';
import type { ReactNode } from 'react';

/**
 * A modal dialog (Radix: focus kept inside, Escape and the close button close it, focus goes
 * back where it was), titled `title`.
 */
export function Modal({
  open,
  onOpenChange,
  title,
  description,
  children,
}: {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  title: string;
  description?: string;
  children: ReactNode;
}) {
  return (
    <Dialog.Root open={open} onOpenChange={onOpenChange}>
      <Dialog.Portal>
        <Dialog.Overlay className="overlay" />
        <Dialog.Content className="dialog" {...(description ? {} : { 'aria-describedby': undefined })}>
          <header className="row">
            <Dialog.Title>{title}</Dialog.Title>
            <Dialog.Close className="link close" aria-label="Close">
              ✕
            </Dialog.Close>
          </header>
          {description ? <Dialog.Description>{description}</Dialog.Description> : null}
          {children}
        </Dialog.Content>
      </Dialog.Portal>
    </Dialog.Root>
  );
}

/**
 * A button that asks before it acts: `label` opens a dialog saying `question`; `confirm` (a
 * danger button) runs `onConfirm`, "Keep" closes it.
 */
export function ConfirmButton({
  label,
  title,
  question,
  confirm,
  onConfirm,
  className = 'danger',
}: {
  label: string;
  title: string;
  question: string;
  confirm: string;
  onConfirm: () => Promise<void> | void;
  className?: string;
}) {
  return (
    <Dialog.Root>
      <Dialog.Trigger asChild>
        <button type="button" className={className}>
          {label}
        </button>
      </Dialog.Trigger>
      <Dialog.Portal>
        <Dialog.Overlay className="overlay" />
        <Dialog.Content className="dialog" role="alertdialog">
          <Dialog.Title>{title}</Dialog.Title>
          <Dialog.Description>{question}</Dialog.Description>
          <div className="row end">
            <Dialog.Close asChild>
              <button type="button">Keep</button>
            </Dialog.Close>
            <Dialog.Close asChild>
              <button type="button" className="danger solid" onClick={() => void onConfirm()}>
                {confirm}
              </button>
            </Dialog.Close>
          </div>
        </Dialog.Content>
      </Dialog.Portal>
    </Dialog.Root>
  );
}
