import { render } from 'solid-js/web';
import { App } from './ui/App';
import { createAppStores } from './ui/stores/app-store';
import './ui/styles.css';

const root = document.getElementById('app');
if (!root) throw new Error('index.html lacks #app');
render(() => <App stores={createAppStores()} />, root);
