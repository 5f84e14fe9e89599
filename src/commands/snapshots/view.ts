import { newSnapshotVerb } from './prepare.js';

export default newSnapshotVerb('view');
