import { byId } from './dom.ts';

export interface Confirmation {
  title: string;
  message: string;
  confirmLabel: string;
  danger: boolean;
}

/** Asks the operator in the page's <dialog id="confirm-dialog">; true when they confirm. */
export function confirmAction(confirmation: Confirmation): Promise<boolean> {
  const dialog = byId<HTMLDialogElement>('confirm-dialog');
  byId('confirm-title').textContent = confirmation.title;
  byId('confirm-message').textContent = confirmation.message;
  const button = byId<HTMLButtonElement>('confirm-ok');
  button.textContent = confirmation.confirmLabel;
  button.classList.toggle('button-danger', confirmation.danger);
  dialog.returnValue = '';
  dialog.showModal();
  return new Promise((resolve) => {
    dialog.addEventListener('close', () => resolve(dialog.returnValue === 'confirm'), { once: true });
  });
}
