import { render } from 'preact';
import { restore } from './api/session';
import { App } from './App';
import './styles.css';

restore();
render(<App />, document.getElementById('app')!);
