import { render } from 'solid-js/web';
import { App } from './ui/App';
import { createAppStores } from './ui/stores/app-store';
import { progressStats } from './ui/stores/frame-flush';
import './ui/styles.css';

// Read by `npm run bench` to check that progress reaches the store at most once per frame.
if (__FERRY_TEST_HOOKS__)
  (window as unknown as { ferryStats: typeof progressStats }).ferryStats = progressStats;

const root = document.getElementById('app');
if (!root) throw new Error('index.html lacks #app');
render(() => {
  // Once, inside the root (for cleanup): a JSX prop is a getter, so creating
  // the stores in the prop expression would create them on every read.
  const stores = createAppStores();
  return <App stores={stores} />;
}, root);
