/**
 * The playground page: two tabs (Train and Sweep) with keyboard navigation between them.
 */
import './styles.css';
import { element } from './view/dom.js';
import { setUpSweepTab } from './view/sweep-tab.js';
import { setUpTrainTab } from './view/train-tab.js';

/** Tabs as the WAI-ARIA tabs pattern: click or Enter selects, arrow keys move between tabs. */
function setUpTabs(): void {
  const tabs = [element('tab-train', HTMLButtonElement), element('tab-sweep', HTMLButtonElement)];
  const select = (selected: HTMLButtonElement) => {
    for (const tab of tabs) {
      const isSelected = tab === selected;
      tab.setAttribute('aria-selected', String(isSelected));
      tab.tabIndex = isSelected ? 0 : -1;
      element(tab.getAttribute('aria-controls')!, HTMLElement).hidden = !isSelected;
    }
  };
  tabs.forEach((tab, index) => {
    tab.addEventListener('click', () => select(tab));
    tab.addEventListener('keydown', (event) => {
      if (event.key !== 'ArrowRight' && event.key !== 'ArrowLeft') return;
      const next = tabs[(index + (event.key === 'ArrowRight' ? 1 : tabs.length - 1)) % tabs.length]!;
      select(next);
      next.focus();
    });
  });
}

setUpTabs();
setUpTrainTab(new URLSearchParams(location.search));
setUpSweepTab();
